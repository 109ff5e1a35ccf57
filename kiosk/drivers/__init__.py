"""Hardware drivers, each reached by URL (printer, scanner). No Kivy here."""
