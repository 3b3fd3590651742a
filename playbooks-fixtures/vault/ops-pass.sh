#!/bin/sh
# A vault password script: what it prints is the password of the "ops" vault id.
echo ops-pass-2
