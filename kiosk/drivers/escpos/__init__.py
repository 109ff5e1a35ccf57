"""ESC/POS: the one writer that makes every byte sent to a printer (text in each code page,
user-defined glyphs, raster, QR, cut, status queries), the Vietnamese code pages, and the parsing
of a printer's status answers. Imports only the printer port and python-escpos."""
