# Redraw: cd docs/iotlb-study && gnuplot plots.gp   (data: regenerate.sh, extract.py columns)
set terminal svg size 960,430 dynamic font "sans,11" noenhanced
set logscale x 2
set format x "%.0b%B"
set xlabel "window (bytes, random offsets)"
set key bottom left
set grid

set output "throughput-vs-window.svg"
set multiplot layout 1,2
set title "device throughput vs pcie-bench (64-entry IOTLB, 1 walker)"
set ylabel "throughput relative to a 4 KiB window"
set yrange [0:1.1]
plot "pool-window.dat" index 0 using 1:9 with linespoints lw 2 title "Staleline, 64 B reads", \
     "pool-window.dat" index 1 using 1:9 with linespoints lw 2 title "Staleline, 512 B reads", \
     "pcie-bench.dat" using 1:2 with points pt 7 ps 1.2 title "pcie-bench, 64 B (approx.)"
set title "64 B reads: page walks in flight (iommu.walkers)"
plot for [i=0:2] "walkers-window.dat" index i using 1:9 with linespoints title columnheader(1), \
     "pcie-bench.dat" using 1:2 with points pt 7 ps 1.2 title "pcie-bench, 64 B (approx.)"
unset multiplot

set terminal svg size 620,430 dynamic font "sans,11" noenhanced
set output "pwc-vs-window.svg"
set title "64 B reads: page-walk cache (iommu.pwc_entries), 64-entry IOTLB, 1 walker"
plot for [i=0:2] "pwc-window.dat" index i using 1:9 with linespoints title columnheader(1), \
     "pcie-bench.dat" using 1:2 with points pt 7 ps 1.2 title "pcie-bench, 64 B (approx.)"
set terminal svg size 960,430 dynamic font "sans,11" noenhanced
set autoscale y

set output "miss-rate-vs-window.svg"
set key top left
set multiplot layout 1,2
set ylabel "IOTLB miss rate (misses / lookups)"
set title "64-entry IOTLB, pool mapping"
plot "pool-window.dat" index 0 using 1:2 with linespoints title "64 B reads", \
     "pool-window.dat" index 1 using 1:2 with linespoints title "512 B reads"
set title "64 B reads, IOTLB entries (reach = entries x 4 KiB)"
plot for [i=0:3] "entries-window.dat" index i using 1:2 with linespoints title columnheader(1)
unset multiplot

set output "device-time-vs-window.svg"
set multiplot layout 1,2
set title "engine busy time per access, 64-entry IOTLB"
set ylabel "ns per access"
plot "pool-window.dat" index 0 using 1:7 with linespoints title "64 B: device time", \
     "pool-window.dat" index 0 using 1:6 with linespoints title "64 B: translating", \
     "pool-window.dat" index 1 using 1:7 with linespoints title "512 B: device time"
set title "64 B reads: walk step latency (iommu.walk_latency_ns)"
plot for [i=0:3] "walklat-window.dat" index i using 1:7 with linespoints title columnheader(1)
unset multiplot
