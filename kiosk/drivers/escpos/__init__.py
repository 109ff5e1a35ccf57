"""ESC/POS: the one writer that makes every byte sent to a printer (writer.py: text in each code
page, user-defined glyphs, raster, QR, cut, status queries), the layout renderer that drives it
(render.py), the print options (options.py), the Vietnamese code-page tables (codepages.py), glyph
bitmaps (glyphs.py), raster images (raster.py), and the parsing of a printer's status answers
(status.py). Imports only the printer port, the layout model and python-escpos."""
