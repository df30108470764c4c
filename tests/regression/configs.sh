# The regression configurations: NAME SCENARIO COMPLETION ITERATIONS VERB.
# ITERATIONS 0 keeps the scenario's; VERB - keeps the scenario's, else it
# replaces the workload's `verb: write_lat`.  Read by `make
# regression-baseline` and, in the same order, by
# tests/regression/test_headline.c (keep the two in step).
write-poll scenarios/seed-vrdma-write-lat.yaml poll 0 -
send-poll scenarios/seed-vrdma-send-lat.yaml poll 2000 -
read-poll scenarios/seed-vrdma-read-lat.yaml poll 2000 -
write-event scenarios/seed-vrdma-write-lat.yaml event 2000 -
send-event scenarios/seed-vrdma-send-lat.yaml event 2000 -
read-event scenarios/seed-vrdma-read-lat.yaml event 2000 -
all-write-poll tests/regression/all-options.yaml poll 0 write_lat
all-send-poll tests/regression/all-options.yaml poll 0 send_lat
all-read-poll tests/regression/all-options.yaml poll 0 read_lat
all-write-event tests/regression/all-options.yaml event 0 write_lat
all-send-event tests/regression/all-options.yaml event 0 send_lat
all-read-event tests/regression/all-options.yaml event 0 read_lat
all-write-bw tests/regression/all-options.yaml poll 0 write_bw
all-read-bw tests/regression/all-options.yaml poll 0 read_bw
all-send-bw tests/regression/all-options.yaml poll 0 send_bw
