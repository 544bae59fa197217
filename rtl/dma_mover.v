// Data mover: executes one descriptor's data movement. A source side fills a byte FIFO
// (AXI read bursts, SRAM reads, the fill pattern, or a gather list's elements), a
// destination side drains it (AXI write bursts with byte strobes, or SRAM writes); the FIFO
// realigns bytes, so source and destination may have any byte alignment and the length need
// not be a multiple of 8. The CRC-32 of the moved bytes is computed as they enter the FIFO.
//
// Gather (SRC_GATHER): `src` is the address of a list of `len` 16-byte elements {u64 addr,
// u32 len, u32 reserved}; their bytes go, in list order, contiguously to SRAM from `dst`.
// The list is read ahead in blocks of up to 8 elements (one read of up to 16 beats that
// does not cross 4 KiB) into a 16-element buffer, interleaved with the data reads in the
// one in-order read stream, so data reads never wait for the list. Each element is checked
// when its reads are about to start (length 0; SRAM overflow) and read like any range.
//
// Reads: a burst is issued while the FIFO has room for it and everything already requested,
// and at most RD_TAGS bursts are outstanding. An in-order queue (one AXI ID: responses come
// in order) remembers for each outstanding burst where its bytes sit in its beats, so R
// beats are pushed at the right lanes and a failing beat's address is known. Writes: a
// burst's AW is issued only once the FIFO holds all of its bytes, so its W beats never
// stall; up to 4 write bursts may await B.
// On an error response the mover stops issuing, lets what is in flight finish (reads are
// drained, a started write burst completes, outstanding B responses are collected), then
// reports the first error in the order of the read stream: an element check that fails
// stops the issuing at once but is reported only if every read issued before it completes
// without error. Bursts never cross 4 KiB; reads have at most 64 beats (512 bytes), writes
// at most 16 (128 bytes).
module dma_mover #(
    parameter FIFO_LOG2 = 11,          // 2 KiB FIFO: four 64-beat read bursts in flight
    parameter RD_TAGS   = 4,           // read bursts outstanding at most (1..16)
    parameter SRAM_AW   = 13
) (
    input  wire               clk,
    input  wire               rst,

    input  wire               start,   // one cycle; operands valid with it
    input  wire [1:0]         src_kind,// SRC_AXI, SRC_SRAM, SRC_FILL or SRC_GATHER
    input  wire               dst_sram,// 0: AXI write bursts, 1: SRAM (SRC_GATHER: always 1)
    input  wire [63:0]        src,     // address, SRAM offset, fill pattern, or list address
    input  wire [63:0]        dst,     // address or SRAM offset
    input  wire [31:0]        len,     // > 0: bytes, or (SRC_GATHER) list elements
    output wire               busy,
    output wire               waiting, // no register changes at the next edge without an R beat or B
    output reg                done,    // one cycle, results valid from then on
    output reg  [2:0]         err_kind,// ERR_NONE, ERR_READ, ERR_WRITE, ERR_LIST, ERR_ELEM_LEN or ERR_SRAM
    output reg  [1:0]         err_resp,
    output reg  [63:0]        err_addr,
    output wire [31:0]        crc,

    // AXI request interface (see dma_axi_master)
    output reg                ar_valid,
    input  wire               ar_ready,
    output reg  [63:0]        ar_addr,
    output reg  [7:0]         ar_len,
    input  wire               r_valid,
    output wire               r_ready,
    input  wire [63:0]        r_data,
    input  wire [1:0]         r_resp,
    input  wire               r_last,
    output reg                aw_valid,
    input  wire               aw_ready,
    output reg  [63:0]        aw_addr,
    output reg  [7:0]         aw_len,
    output wire               w_valid,
    input  wire               w_ready,
    output wire [63:0]        w_data,
    output wire [7:0]         w_strb,
    output wire               w_last,
    input  wire               b_valid,
    output wire               b_ready,
    input  wire [1:0]         b_resp,

    // SRAM ports
    output wire               sram_rd_en,
    output wire [SRAM_AW-1:0] sram_rd_addr,
    input  wire [63:0]        sram_rd_data,
    output wire               sram_wr_en,
    output wire [SRAM_AW-1:0] sram_wr_addr,
    output wire [7:0]         sram_wr_be,
    output wire [63:0]        sram_wr_data
);
    localparam [FIFO_LOG2+1:0] DEPTH = 1 << FIFO_LOG2;
    localparam QW = (RD_TAGS <= 1) ? 1 : $clog2(RD_TAGS);   // read queue index bits
    localparam [QW:0] TAGS = RD_TAGS[QW:0];
    localparam [1:0] W_IDLE = 2'd0, W_AW = 2'd1, W_DATA = 2'd2;
    localparam [1:0] SRC_AXI = 2'd0, SRC_SRAM = 2'd1, SRC_FILL = 2'd2, SRC_GATHER = 2'd3;
    localparam [2:0] ERR_NONE     = 3'd0,
                     ERR_READ     = 3'd1,   // data read got SLVERR/DECERR
                     ERR_WRITE    = 3'd2,   // write got SLVERR/DECERR
                     ERR_LIST     = 3'd3,   // element list read got SLVERR/DECERR
                     ERR_ELEM_LEN = 3'd4,   // element of length 0
                     ERR_SRAM     = 3'd5;   // gathered bytes would run past the SRAM
    localparam [63:0] SRAM_BYTES = 64'd8 << SRAM_AW;
    localparam [4:0]  EB_DEPTH = 5'd16;     // element buffer entries
    localparam [3:0]  EB_BLOCK = 4'd8;      // elements per list read at most
    localparam [1:0] OKAY = 2'b00;

    // Bytes a beat carries: from lane lo (only the first beat starts mid-word) up to 8,
    // or fewer at the end of the transfer.
    function [3:0] beat_bytes(input [2:0] lo, input [31:0] left);
        reg [3:0] room;
        begin
            room = 4'd8 - {1'b0, lo};
            beat_bytes = (left < {28'd0, room}) ? left[3:0] : room;
        end
    endfunction

    reg         running;
    reg [1:0]   src_kind_q;
    reg         dst_sram_q;
    reg [63:0]  src_q, dst_q;
    reg [31:0]  len_q;
    reg [31:0]  pushed;        // bytes into the FIFO
    reg [31:0]  popped;        // bytes out of the FIFO
    reg [31:0]  rd_off;        // bytes of the current element covered by AR bursts issued
    reg [31:0]  sr_off;        // bytes covered by SRAM reads issued
    reg [31:0]  wr_off;        // bytes covered by AW bursts issued
    reg [FIFO_LOG2:0] rsv;     // FIFO bytes reserved by AR bursts not yet received
    reg         sr_v;          // SRAM read data arrives this cycle
    reg [SRAM_AW-1:0] sr_word; // next SRAM word to read
    reg [SRAM_AW-1:0] sw_word; // next SRAM word to write
    reg [1:0]   wstate;
    reg [4:0]   w_beats;       // beats left in the current write burst
    reg [2:0]   b_out;         // write bursts awaiting B
    reg [63:0]  bq [0:3];      // their addresses, oldest first
    reg [1:0]   bq_wp, bq_rp;

    // Read queue: one entry per read burst issued (AR) and not yet fully received, oldest
    // first; its length is the number of read tags in use.
    reg          rq_list  [0:(1 << QW) - 1];   // a read of gather list elements, not data
    reg [2:0]    rq_lo    [0:(1 << QW) - 1];   // lane of the burst's first byte
    reg [9:0]    rq_bytes [0:(1 << QW) - 1];   // transfer bytes it carries
    reg [60:0]   rq_word  [0:(1 << QW) - 1];   // address of its first beat / 8
    reg [QW-1:0] rq_wp, rq_rp;
    reg [QW:0]   rq_n;
    reg [7:0]    hd_beat;      // beats received of the oldest burst
    reg [9:0]    hd_done;      // its bytes received

    // The range being read: SRC_AXI the descriptor's, SRC_GATHER one element after another.
    reg         el_valid;
    reg [63:0]  el_addr;
    reg [31:0]  el_len;

    // Gather: the element list and the buffer of elements read ahead.
    reg [63:0]  eb_addr [0:15];
    reg [31:0]  eb_len  [0:15];
    reg [3:0]   eb_wp, eb_rp;
    reg [4:0]   eb_n;          // elements held
    reg [4:0]   eb_rsv;        // elements requested by list reads and not yet received
    reg         lb_odd;        // the next list beat is an element's second word (len)
    reg [31:0]  ls_next;       // elements requested so far
    reg [31:0]  el_taken;      // elements taken (checked; their reads started)
    reg [31:0]  g_total;       // bytes of the elements taken
    reg [2:0]   chk_kind;      // an element check failed: ERR_ELEM_LEN or ERR_SRAM ...
    reg [63:0]  chk_addr;      // ... at this element

    wire err  = (err_kind != ERR_NONE);
    wire stop = err || (chk_kind != ERR_NONE);   // issue nothing more

    wire src_axi    = (src_kind_q == SRC_AXI);
    wire src_sram   = (src_kind_q == SRC_SRAM);
    wire src_fill   = (src_kind_q == SRC_FILL);
    wire src_gather = (src_kind_q == SRC_GATHER);
    wire src_rd     = src_axi || src_gather;     // the source is AXI reads

    wire [FIFO_LOG2:0] fcount;
    wire [FIFO_LOG2+1:0] fc = {1'b0, fcount};

    // ---- source side: AXI reads ----
    wire tag_free = (rq_n != TAGS);

    // List reads: the next block of elements, when the buffer has room for all of it.
    wire [63:0] ls_addr = src_q + {28'd0, ls_next, 4'd0};
    wire [31:0] ls_rem  = len_q - ls_next;
    wire [8:0]  ls_to4k = 9'd256 - {1'b0, ls_addr[11:4]};          // elements to the next 4 KiB line
    wire [3:0]  ls_cap  = (ls_to4k < {5'd0, EB_BLOCK}) ? ls_to4k[3:0] : EB_BLOCK;
    wire [3:0]  ls_blk  = (ls_rem < {28'd0, ls_cap}) ? ls_rem[3:0] : ls_cap;
    wire list_issue = running && src_gather && !stop && !ar_valid && (ls_next != len_q) && tag_free &&
                      ({1'b0, ls_blk} <= EB_DEPTH - eb_n - eb_rsv);

    // Data reads of the current range.
    wire [63:0] rd_burst_addr;
    wire [7:0]  rd_burst_len;
    wire [9:0]  rd_burst_bytes;
    dma_burst_calc #(.MAX_BEATS(64)) u_rd_burst (
        .base(el_addr), .offset(rd_off), .total(el_len),
        .addr(rd_burst_addr), .axlen(rd_burst_len), .bytes(rd_burst_bytes));
    wire [2:0]  rd_lo = el_addr[2:0] + rd_off[2:0];   // lane of the next burst's first byte

    wire data_issue = running && src_rd && !stop && !ar_valid && el_valid && (rd_off != el_len) &&
                      tag_free && !list_issue &&
                      (fc + {1'b0, rsv} + {{(FIFO_LOG2 - 8){1'b0}}, rd_burst_bytes} <= DEPTH);
    wire ar_issue = list_issue || data_issue;

    // Gather: take the next element from the buffer once the current one's reads are issued.
    wire [63:0] tk_addr  = eb_addr[eb_rp];
    wire [31:0] tk_len   = eb_len[eb_rp];
    wire [63:0] tk_where = src_q + {28'd0, el_taken, 4'd0};         // the element's own address
    wire [63:0] sram_room = (dst_q >= SRAM_BYTES) ? 64'd0 : SRAM_BYTES - dst_q;
    wire [32:0] tk_end   = {1'b0, g_total} + {1'b0, tk_len};
    wire el_take = running && src_gather && !stop && (!el_valid || rd_off == el_len) && (eb_n != 5'd0);

    assign r_ready = running;
    wire r_fire    = r_valid && r_ready;
    wire r_bad     = r_fire && (r_resp != OKAY);
    wire hd_list   = rq_list[rq_rp];
    wire push_r    = r_fire && !r_bad && !err && !hd_list;
    wire ls_beat   = r_fire && hd_list;

    // The beat at the head of the read queue: its lanes and its address.
    wire [2:0]  hd_lo   = (hd_beat == 8'd0) ? rq_lo[rq_rp] : 3'd0;
    wire [9:0]  hd_left = rq_bytes[rq_rp] - hd_done;
    wire [60:0] hd_word = rq_word[rq_rp] + {53'd0, hd_beat};

    // ---- source side: SRAM reads, fill pattern ----
    wire [2:0]  sr_lo = (sr_off == 32'd0) ? src_q[2:0] : 3'd0;
    wire [3:0]  sr_n  = beat_bytes(sr_lo, len_q - sr_off);
    assign sram_rd_en   = running && src_sram && !err && (sr_off != len_q) &&
                          (fc + (sr_v ? 8 : 0) + 8 <= DEPTH);
    assign sram_rd_addr = sr_word;

    wire push_fill = running && src_fill && !err && (pushed != len_q) && (fc + 8 <= DEPTH);
    wire push      = push_r || (sr_v && !err) || push_fill;
    wire [63:0] push_data = src_rd ? r_data : (src_sram ? sram_rd_data : src_q);
    wire [2:0]  seq_lo  = (src_fill || pushed != 32'd0) ? 3'd0 : src_q[2:0];
    wire [2:0]  push_lo = src_rd ? hd_lo : seq_lo;
    wire [3:0]  push_n  = src_rd ? beat_bytes(hd_lo, {22'd0, hd_left}) : beat_bytes(seq_lo, len_q - pushed);

    // ---- destination side ----
    // Bytes to move: a gather's total is known once every element is taken; until then the
    // destination only writes whole words (pop_n = the rest of the word).
    wire        total_known = !src_gather || (el_taken == len_q);
    wire [31:0] total       = src_gather ? g_total : len_q;
    wire [31:0] dst_left    = total_known ? total - popped : 32'hFFFF_FFFF;
    wire [2:0]  pop_lo = (popped == 32'd0) ? dst_q[2:0] : 3'd0;
    wire [3:0]  pop_n  = beat_bytes(pop_lo, dst_left);
    wire [63:0] pop_data;
    wire [7:0]  pop_strb;

    wire [63:0] wr_burst_addr;
    wire [7:0]  wr_burst_len;
    wire [9:0]  wr_burst_bytes;
    dma_burst_calc #(.MAX_BEATS(16)) u_wr_burst (
        .base(dst_q), .offset(wr_off), .total(len_q),
        .addr(wr_burst_addr), .axlen(wr_burst_len), .bytes(wr_burst_bytes));

    wire aw_issue = running && !dst_sram_q && !err && (wstate == W_IDLE) && (wr_off != len_q) &&
                    (b_out != 3'd4) && (fcount >= {{(FIFO_LOG2 - 9){1'b0}}, wr_burst_bytes});

    assign w_valid = (wstate == W_DATA);
    assign w_data  = pop_data;
    assign w_strb  = pop_strb;
    assign w_last  = (w_beats == 5'd1);
    wire   w_fire  = w_valid && w_ready;

    assign b_ready = running;
    wire b_fire    = b_valid && b_ready;

    assign sram_wr_en   = running && dst_sram_q && !err && (dst_left != 32'd0) &&
                          (fcount >= {{(FIFO_LOG2 - 3){1'b0}}, pop_n});
    assign sram_wr_addr = sw_word;
    assign sram_wr_be   = pop_strb;
    assign sram_wr_data = pop_data;

    wire pop = w_fire || sram_wr_en;

    // ---- completion ----
    wire quiet  = !ar_valid && (rq_n == {(QW + 1){1'b0}}) && (wstate == W_IDLE) && (b_out == 3'd0) && !sr_v;
    wire finish = running && quiet && (stop || (total_known && popped == total));
    assign busy = running;
    // Nothing to do but wait for R beats or B responses (or not running at all): every
    // register above keeps its value at the next edge unless r_fire or b_fire (or start).
    assign waiting = !done && (!running ||
                     (!ar_valid && !ar_issue && !el_take && (wstate == W_IDLE) && !aw_issue && !sram_rd_en && !sr_v &&
                      !sram_wr_en && !push_fill && !finish));

    dma_byte_fifo #(.LOG2(FIFO_LOG2)) u_fifo (
        .clk(clk), .clr(rst || start),
        .push(push), .push_data(push_data), .push_lo(push_lo), .push_n(push_n),
        .pop(pop), .pop_lo(pop_lo), .pop_n(pop_n),
        .count(fcount), .pop_data(pop_data), .pop_strb(pop_strb));

    dma_crc32 u_crc (
        .clk(clk), .clr(rst || start), .en(push),
        .data(push_data >> {push_lo, 3'b000}), .nbytes(push_n), .crc(crc));

    always @(posedge clk) begin
        if (rst) begin
            running  <= 1'b0;
            done     <= 1'b0;
            err_kind <= ERR_NONE;
            err_resp <= OKAY;
            err_addr <= 64'd0;
            ar_valid <= 1'b0;
            aw_valid <= 1'b0;
            ar_addr  <= 64'd0;
            ar_len   <= 8'd0;
            aw_addr  <= 64'd0;
            aw_len   <= 8'd0;
            src_kind_q <= SRC_AXI;
            dst_sram_q <= 1'b0;
            src_q    <= 64'd0;
            dst_q    <= 64'd0;
            len_q    <= 32'd0;
            pushed   <= 32'd0;
            popped   <= 32'd0;
            rd_off   <= 32'd0;
            sr_off   <= 32'd0;
            wr_off   <= 32'd0;
            rsv      <= {(FIFO_LOG2 + 1){1'b0}};
            rq_wp    <= {QW{1'b0}};
            rq_rp    <= {QW{1'b0}};
            rq_n     <= {(QW + 1){1'b0}};
            hd_beat  <= 8'd0;
            hd_done  <= 10'd0;
            el_valid <= 1'b0;
            el_addr  <= 64'd0;
            el_len   <= 32'd0;
            eb_wp    <= 4'd0;
            eb_rp    <= 4'd0;
            eb_n     <= 5'd0;
            eb_rsv   <= 5'd0;
            lb_odd   <= 1'b0;
            ls_next  <= 32'd0;
            el_taken <= 32'd0;
            g_total  <= 32'd0;
            chk_kind <= ERR_NONE;
            chk_addr <= 64'd0;
            sr_v     <= 1'b0;
            sr_word  <= {SRAM_AW{1'b0}};
            sw_word  <= {SRAM_AW{1'b0}};
            wstate   <= W_IDLE;
            w_beats  <= 5'd0;
            b_out    <= 3'd0;
            bq_wp    <= 2'd0;
            bq_rp    <= 2'd0;
        end else if (start) begin
            running  <= 1'b1;
            done     <= 1'b0;
            err_kind <= ERR_NONE;
            err_resp <= OKAY;
            err_addr <= 64'd0;
            src_kind_q <= src_kind;
            dst_sram_q <= dst_sram;
            src_q    <= src;
            dst_q    <= dst;
            len_q    <= len;
            pushed   <= 32'd0;
            popped   <= 32'd0;
            rd_off   <= 32'd0;
            sr_off   <= 32'd0;
            wr_off   <= 32'd0;
            rsv      <= {(FIFO_LOG2 + 1){1'b0}};
            rq_wp    <= {QW{1'b0}};
            rq_rp    <= {QW{1'b0}};
            rq_n     <= {(QW + 1){1'b0}};
            hd_beat  <= 8'd0;
            hd_done  <= 10'd0;
            el_valid <= (src_kind == SRC_AXI);     // a gather's elements come from its list
            el_addr  <= src;
            el_len   <= len;
            eb_wp    <= 4'd0;
            eb_rp    <= 4'd0;
            eb_n     <= 5'd0;
            eb_rsv   <= 5'd0;
            lb_odd   <= 1'b0;
            ls_next  <= 32'd0;
            el_taken <= 32'd0;
            g_total  <= 32'd0;
            chk_kind <= ERR_NONE;
            chk_addr <= 64'd0;
            sr_v     <= 1'b0;
            sr_word  <= src[SRAM_AW+2:3];
            sw_word  <= dst[SRAM_AW+2:3];
            wstate   <= W_IDLE;
            b_out    <= 3'd0;
            bq_wp    <= 2'd0;
            bq_rp    <= 2'd0;
        end else begin
            done <= 1'b0;

            // AR: queue the burst when it is issued; a data read reserves FIFO room for all of
            // its bytes, a list read buffer room for all of its elements.
            if (list_issue) begin
                ar_valid <= 1'b1;
                ar_addr  <= ls_addr;
                ar_len   <= {3'd0, ls_blk, 1'b0} - 8'd1;     // two beats per element
                ls_next  <= ls_next + {28'd0, ls_blk};
                rq_list[rq_wp]  <= 1'b1;
                rq_lo[rq_wp]    <= 3'd0;
                rq_bytes[rq_wp] <= 10'd0;
                rq_word[rq_wp]  <= ls_addr[63:3];
                rq_wp <= rq_wp + 1'b1;
            end else if (data_issue) begin
                ar_valid <= 1'b1;
                ar_addr  <= rd_burst_addr;
                ar_len   <= rd_burst_len;
                rd_off   <= rd_off + {22'd0, rd_burst_bytes};
                rq_list[rq_wp]  <= 1'b0;
                rq_lo[rq_wp]    <= rd_lo;
                rq_bytes[rq_wp] <= rd_burst_bytes;
                rq_word[rq_wp]  <= rd_burst_addr[63:3];
                rq_wp <= rq_wp + 1'b1;
            end else if (ar_ready) begin
                ar_valid <= 1'b0;
            end

            // Gather: list beats fill the element buffer (even beat: addr, odd beat: len).
            if (ls_beat) begin
                lb_odd <= !lb_odd;
                if (!lb_odd) eb_addr[eb_wp] <= r_data;
                else begin
                    eb_len[eb_wp] <= r_data[31:0];
                    eb_wp <= eb_wp + 4'd1;
                end
            end
            eb_n   <= eb_n + {4'd0, ls_beat && lb_odd} - {4'd0, el_take};
            eb_rsv <= eb_rsv + (list_issue ? {1'b0, ls_blk} : 5'd0) - {4'd0, ls_beat && lb_odd};

            // Gather: the next element is checked and becomes the range being read.
            if (el_take) begin
                eb_rp    <= eb_rp + 4'd1;
                el_taken <= el_taken + 32'd1;
                if (tk_len == 32'd0) begin
                    chk_kind <= ERR_ELEM_LEN;
                    chk_addr <= tk_where;
                end else if ({31'd0, tk_end} > sram_room) begin
                    chk_kind <= ERR_SRAM;
                    chk_addr <= tk_where;
                end else begin
                    el_valid <= 1'b1;
                    el_addr  <= tk_addr;
                    el_len   <= tk_len;
                    rd_off   <= 32'd0;
                    g_total  <= tk_end[31:0];
                end
            end
            rq_n <= rq_n + {{QW{1'b0}}, ar_issue} - {{QW{1'b0}}, r_fire && r_last};
            rsv <= rsv + (data_issue ? {{(FIFO_LOG2 - 9){1'b0}}, rd_burst_bytes} : {(FIFO_LOG2 + 1){1'b0}})
                       - (push_r ? {{(FIFO_LOG2 - 3){1'b0}}, push_n} : {(FIFO_LOG2 + 1){1'b0}});

            // R: walk the head burst beat by beat; its last beat frees the tag.
            if (r_fire) begin
                if (r_last) begin
                    rq_rp   <= rq_rp + 1'b1;
                    hd_beat <= 8'd0;
                    hd_done <= 10'd0;
                end else begin
                    hd_beat <= hd_beat + 8'd1;
                    hd_done <= hd_done + {6'd0, push_n};
                end
            end
            if (r_bad && !err) begin
                err_kind <= hd_list ? ERR_LIST : ERR_READ;
                err_resp <= r_resp;
                err_addr <= {hd_word, 3'b000};
            end

            // SRAM source: data the cycle after the read.
            sr_v <= sram_rd_en;
            if (sram_rd_en) begin
                sr_off  <= sr_off + {28'd0, sr_n};
                sr_word <= sr_word + 1'b1;
            end
            if (sram_wr_en) sw_word <= sw_word + 1'b1;

            if (push) pushed <= pushed + {28'd0, push_n};
            if (pop)  popped <= popped + {28'd0, pop_n};

            // Write bursts.
            case (wstate)
                W_IDLE: if (aw_issue) begin
                    aw_valid <= 1'b1;
                    aw_addr  <= wr_burst_addr;
                    aw_len   <= wr_burst_len;
                    w_beats  <= wr_burst_len[4:0] + 5'd1;
                    wr_off   <= wr_off + {22'd0, wr_burst_bytes};
                    wstate   <= W_AW;
                end
                W_AW: if (aw_ready) begin
                    aw_valid   <= 1'b0;
                    bq[bq_wp]  <= aw_addr;
                    bq_wp      <= bq_wp + 2'd1;
                    wstate     <= W_DATA;
                end
                W_DATA: if (w_fire) begin
                    w_beats <= w_beats - 5'd1;
                    if (w_last) wstate <= W_IDLE;
                end
                default: wstate <= W_IDLE;
            endcase
            b_out <= b_out + ((wstate == W_AW && aw_ready) ? 3'd1 : 3'd0) - (b_fire ? 3'd1 : 3'd0);
            if (b_fire) begin
                bq_rp <= bq_rp + 2'd1;
                if (b_resp != OKAY && !err && !r_bad) begin
                    err_kind <= ERR_WRITE;
                    err_resp <= b_resp;
                    err_addr <= bq[bq_rp];
                end
            end

            if (finish) begin
                running <= 1'b0;
                done    <= 1'b1;
                if (!err && chk_kind != ERR_NONE) begin   // every earlier read came back OKAY
                    err_kind <= chk_kind;
                    err_addr <= chk_addr;
                end
            end
        end
    end
endmodule
