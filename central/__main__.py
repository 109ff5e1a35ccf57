"""`python -m central …` is `kiosk-central …`."""

from central.cli import main

raise SystemExit(main())
