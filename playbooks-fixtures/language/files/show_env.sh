#!/bin/sh
echo "name is $name"
