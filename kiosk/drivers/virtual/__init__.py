"""The virtual printer, a production part: its ESC/POS parser, the canvas it prints on, its
links (pty or TCP) and the PNG preview of a layout. Imports the printer port and escpos only."""
