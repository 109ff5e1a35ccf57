"""Hardware drivers, each reached by URL: the ESC/POS ticket printer (bytes, transport, status,
virtual printer) and the QR/barcode scanner.

The printer port is kiosk.drivers.ports (TicketPrinter, PrinterStatus, open_printer by URL
scheme) with the layout model in kiosk.drivers.layout: the core imports those two and nothing
else from here. Drivers import nothing from kiosk.queue, kiosk.catalogue, kiosk.sync,
kiosk.update, kiosk.technician or kiosk.screens, and never Kivy. app.py, services.py and
kiosk/commands/ choose the concrete drivers."""
