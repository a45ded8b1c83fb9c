#!/bin/sh
# The unit tests need the Check framework; configure did not find it.
echo "unit tests not built: install the Check framework (apt-get install check) and re-run configure" >&2
exit 1
