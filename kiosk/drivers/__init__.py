"""Hardware drivers, each reached by URL: the ESC/POS ticket printer (bytes, transport, status,
virtual printer) and the QR/barcode scanner.

Nothing here imports Kivy; the core (kiosk.queue.tickets) says what it needs as protocols and this
package implements them. app.py and cli.py choose the concrete drivers."""
