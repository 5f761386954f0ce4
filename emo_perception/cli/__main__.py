import sys

from emo_perception.cli import main

sys.exit(main())
