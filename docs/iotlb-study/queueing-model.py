#!/usr/bin/env python3
"""A back-of-the-envelope queueing model of random small DMA reads through an IOMMU, used in
docs/iotlb-study.md to separate two effects the simulator combines: in-order completion of
reads (one AXI ID) and a single page walker.

A device keeps at most TAGS reads in flight, issuing at most one every ISSUE ns. A read
takes RTT ns plus, when its translation misses (probability m, independent), the wait for
the one walker and a WALK ns walk, which starts when the request reaches the IOMMU (half way
through the round trip). With in-order completion a read also cannot complete before the
read issued before it. Prints the throughput change at miss probabilities 0.5, 0.75 and 1
(roughly the 512 KiB, 1 MiB and 64 MiB windows of a 64-entry IOTLB) against m = 0.

usage: queueing-model.py [RTT_NS [TAGS [WALK_NS]]]   (defaults 520 4 282.5)"""
import random
import sys


def ns_per_read(m, in_order, tags, rtt, walk, issue=32.0, n=200_000, seed=1):
    rnd = random.Random(seed)
    t = walker_free = 0.0
    inflight = []  # completion times of the reads holding a tag
    for _ in range(n):
        if len(inflight) >= tags:  # wait for a tag: the earliest completion
            inflight.sort()
            t = max(t, inflight.pop(0))
        at_iommu = t + rtt / 2
        extra = 0.0
        if rnd.random() < m:
            start = max(at_iommu, walker_free)
            walker_free = start + walk
            extra = walker_free - at_iommu
        done = t + rtt + extra
        if in_order and inflight:
            done = max(done, max(inflight))
        inflight.append(done)
        t += issue
    return t / n


rtt = float(sys.argv[1]) if len(sys.argv) > 1 else 520.0
tags = int(sys.argv[2]) if len(sys.argv) > 2 else 4
walk = float(sys.argv[3]) if len(sys.argv) > 3 else 282.5
for in_order in (True, False):
    base = ns_per_read(0.0, in_order, tags, rtt, walk)
    changes = " ".join(f"m={m}: {100 * (base / ns_per_read(m, in_order, tags, rtt, walk) - 1):+.0f} %"
                       for m in (0.5, 0.75, 1.0))
    print(f"{'in-order    ' if in_order else 'out-of-order'} {base:.0f} ns per read at m=0; {changes}")
