import sys

from ttsim.cli import main

sys.exit(main())
