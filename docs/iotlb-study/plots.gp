# Redraw: cd docs/iotlb-study && gnuplot plots.gp
set terminal svg size 900,420 dynamic font "sans,11"
set logscale x 2
set format x "%.0b%B"
set xlabel "window (bytes, random offsets)"
set key top left
set grid

set output "miss-rate-vs-window.svg"
set multiplot layout 1,2
set ylabel "IOTLB miss rate (misses / lookups)"
set title "64-entry IOTLB, pool mapping"
plot "pool-window.dat" index 0 using 1:2 with linespoints title "64 B reads", \
     "pool-window.dat" index 1 using 1:2 with linespoints title "512 B reads"
set title "64 B reads, IOTLB entries"
plot for [i=0:3] "entries-window.dat" index i using 1:2 with linespoints title columnheader(1)
unset multiplot

set output "device-time-vs-window.svg"
set multiplot layout 1,2
set title "device time per access (engine busy cycles x 4 ns)"
set ylabel "ns per operation"
plot "pool-window.dat" index 0 using 1:7 with linespoints title "64 B device time", \
     "pool-window.dat" index 0 using 1:6 with linespoints title "64 B translating", \
     "pool-window.dat" index 1 using 1:7 with linespoints title "512 B device time"
set title "driver-visible throughput (measured phase)"
set ylabel "MB/s"
plot "pool-window.dat" index 0 using 1:3 with linespoints title "64 B", \
     "pool-window.dat" index 1 using 1:3 with linespoints title "512 B"
unset multiplot
