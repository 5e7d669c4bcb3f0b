`default_nettype none
// xpcie_rp_init: sets up the root port's own Type 1 configuration space
// through the hard IP's configuration management interface once after each
// reset of the port: memory space and bus master on (so the port forwards
// the SSD's requests up to us and ours down), bus numbers (primary 0,
// secondary and subordinate 1: the SSD is bus 1), and the memory windows
// closed (base above limit), so that every request from the SSD goes
// upstream, to the core. Clock domain: clk (user clock of the root port).
//
// Interfaces: the hard IP's cfg_mgmt port; `done` when all writes finished.
module xpcie_rp_init #(
  parameter logic [7:0] SEC_BUS = 8'd1       // the SSD's bus number
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- configuration management (PG156) ---
  output logic [18:0] cfg_mgmt_addr,
  output logic        cfg_mgmt_write,
  output logic [31:0] cfg_mgmt_write_data,
  output logic [3:0]  cfg_mgmt_byte_enable,
  output logic        cfg_mgmt_read,
  output logic        cfg_mgmt_type1_cfg_reg_access,
  input  wire logic   cfg_mgmt_read_write_done,

  output logic        done
);
  localparam int NW = 4;   // writes in the list
  // Type 1 header registers (DW numbers) and values
  localparam logic [9:0]  DW_COMMAND = 10'h001;
  localparam logic [9:0]  DW_BUS     = 10'h006;
  localparam logic [9:0]  DW_MEM     = 10'h008;
  localparam logic [9:0]  DW_PREF    = 10'h009;
  localparam logic [15:0] CMD_MEM_BM = 16'h0006;     // memory space, bus master
  localparam logic [15:0] WIN_BASE_OFF = 16'hfff0;   // base above limit: window closed
  localparam logic [15:0] WIN_LIMIT_OFF = 16'h0000;

  logic [1:0] idx_q, idx_d;
  logic       busy_q, busy_d;
  logic       done_q, done_d;
  logic       gap_q, gap_d;        // one idle cycle between two writes

  always_comb begin
    cfg_mgmt_addr = '0;
    cfg_mgmt_write_data = '0;
    cfg_mgmt_byte_enable = 4'b1111;
    unique case (idx_q)
      2'd0: begin
        cfg_mgmt_addr[9:0] = DW_COMMAND;
        cfg_mgmt_write_data = {16'd0, CMD_MEM_BM};
        cfg_mgmt_byte_enable = 4'b0011;
      end
      2'd1: begin
        cfg_mgmt_addr[9:0] = DW_BUS;
        cfg_mgmt_write_data = {8'd0, SEC_BUS, SEC_BUS, 8'd0};
        cfg_mgmt_byte_enable = 4'b0111;
      end
      2'd2: begin
        cfg_mgmt_addr[9:0] = DW_MEM;
        cfg_mgmt_write_data = {WIN_LIMIT_OFF, WIN_BASE_OFF};
      end
      default: begin
        cfg_mgmt_addr[9:0] = DW_PREF;
        cfg_mgmt_write_data = {WIN_LIMIT_OFF, WIN_BASE_OFF};
      end
    endcase
  end

  // Each write is held until the IP says it is done, then dropped for a cycle.
  always_comb begin
    idx_d = idx_q;
    busy_d = busy_q;
    done_d = done_q;
    gap_d = 1'b0;
    if (cfg_mgmt_write && cfg_mgmt_read_write_done) begin
      gap_d = 1'b1;
      if (idx_q == 2'(NW - 1)) begin
        busy_d = 1'b0;
        done_d = 1'b1;
      end else begin
        idx_d = idx_q + 2'd1;
      end
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      idx_q <= 2'd0;
      busy_q <= 1'b1;
      done_q <= 1'b0;
      gap_q <= 1'b0;
    end else begin
      gap_q <= gap_d;
      idx_q <= idx_d;
      busy_q <= busy_d;
      done_q <= done_d;
    end
  end

  assign cfg_mgmt_write = busy_q && !gap_q;
  assign cfg_mgmt_read = 1'b0;
  assign cfg_mgmt_type1_cfg_reg_access = 1'b0;
  assign done = done_q;
endmodule
