#!/usr/bin/python
# WANT_JSON: a module that is a program of its own, given its arguments as a JSON file.
import json
import sys

with open(sys.argv[1]) as f:
    args = json.load(f)
print(json.dumps({"changed": False, "msg": "%s, %s!" % (args.get("salutation", "Hello"), args.get("name", "World"))}))
