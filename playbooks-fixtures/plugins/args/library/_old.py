#!/usr/bin/python
# A module deprecated the old way: its file named with a leading underscore.
import json
print(json.dumps({"changed": False, "source": "underscored"}))
