import sys

from liif.cli import main

sys.exit(main())
