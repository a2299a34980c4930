import sys

from ropsim.cli import main

sys.exit(main())
