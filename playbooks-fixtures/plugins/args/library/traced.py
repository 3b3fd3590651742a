#!/usr/bin/python
# A module that does not fail yet gives an exception.
import json
print(json.dumps({"changed": False, "exception": "Traceback: somewhere", "msg": "a warning of sorts"}))
