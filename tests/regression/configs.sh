# The regression configurations: NAME SCENARIO COMPLETION ITERATIONS.
# Read by `make regression-baseline` and, in the same order, by
# tests/regression/test_headline.c (keep the two in step).
write-poll scenarios/seed-vrdma-write-lat.yaml poll 0
send-poll scenarios/seed-vrdma-send-lat.yaml poll 2000
read-poll scenarios/seed-vrdma-read-lat.yaml poll 2000
write-event scenarios/seed-vrdma-write-lat.yaml event 2000
send-event scenarios/seed-vrdma-send-lat.yaml event 2000
read-event scenarios/seed-vrdma-read-lat.yaml event 2000
