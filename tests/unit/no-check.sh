#!/bin/sh
# (to be written)
exit 77
