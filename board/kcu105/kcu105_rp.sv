`default_nettype none
// kcu105_rp: the root port toward the SSD on the FPGA Drive FMC: the PCIe3
// UltraScale hard IP in root-port mode (pcie3_rp, Gen3 x4, 256-bit at
// 125 MHz) and the adapters between its CQ/CC/RQ/RC interfaces and the
// core's root-port TLP streams. Clock domains: the IP's user clock
// (everything up to the crossings) and core_clk (rx_*/tx_*, core_rst).
//
// The core is the requester toward the SSD (configuration and memory
// requests go out on RQ with the core's requester ID; their completions come
// back on RC) and the completer of the SSD's DMA and MSI writes (CQ in, CC
// out). After each reset of the port, xpcie_rp_init sets up the port's own
// Type 1 header. The adapters, merge, split and crossings are xpcie_port's,
// with nothing between them: receive: CQ and RC merge and cross to the core
// whole (a discontinued TLP is dropped); transmit: the core's TLPs cross and
// split: completions to CC, requests to RQ.
//
// Interfaces: the link and reference clock, the core's TLP streams, status
// for LEDs.
module kcu105_rp #(
  parameter int DATA_W = 256                  // TLP stream width (the adapters take 256)
) (
  // --- link ---
  input  wire logic       refclk,       // 100 MHz reference / 2 (ODIV2)
  input  wire logic       refclk_gt,
  input  wire logic       reset_n,      // the port's reset (with the SSD's PERST#)
  input  wire logic [3:0] pci_rx_p,
  input  wire logic [3:0] pci_rx_n,
  output logic      [3:0] pci_tx_p,
  output logic      [3:0] pci_tx_n,
  output logic            lnk_up,       // user clock domain (for an LED)
  output logic            init_done,    // user clock domain (for an LED)

  // --- core side (core_clk) ---
  input  wire logic              core_clk,
  input  wire logic              core_rst,
  output logic [127:0]      rx_hdr,
  output logic [DATA_W-1:0] rx_data,
  output logic              rx_sop,
  output logic              rx_eop,
  output logic              rx_valid,
  input  wire logic         rx_ready,
  input  wire logic [127:0]      tx_hdr,
  input  wire logic [DATA_W-1:0] tx_data,
  input  wire logic              tx_sop,
  input  wire logic              tx_eop,
  input  wire logic              tx_valid,
  output logic                   tx_ready
);
  logic clk, user_reset, rst;

  // CQ / CC / RQ / RC
  logic [255:0] cq_tdata, rc_tdata, cc_tdata, rq_tdata;
  logic [84:0]  cq_tuser;
  logic [74:0]  rc_tuser;
  logic [32:0]  cc_tuser;
  logic [59:0]  rq_tuser;
  logic [7:0]   cq_tkeep, rc_tkeep, cc_tkeep, rq_tkeep;
  logic         cq_tlast, cq_tvalid, cq_tready, rc_tlast, rc_tvalid, rc_tready;
  logic         cc_tlast, cc_tvalid, rq_tlast, rq_tvalid;
  logic [3:0]   cc_tready, rq_tready;

  // Configuration management (the port's own header) and status
  logic [18:0]  mg_addr;
  logic         mg_write, mg_read, mg_type1, mg_done;
  logic [31:0]  mg_wdata;
  logic [3:0]   mg_be;
  logic [15:0]  fstat_unused;
  logic [2:0]   mps_unused, mrrs_unused;
  logic [3:0]   flr;
  logic         pm_irq;

  // The user clock domain's streams (looped back: no bridge on the root port)
  logic [127:0] m_hdr, o_hdr;
  logic [255:0] m_data, o_data;
  logic m_sop, m_eop, m_err, m_valid, m_ready;
  logic o_sop, o_eop, o_valid, o_ready;

  // Unused status of the IP (kept named for a debugger)
  logic [5:0] npreq_count_unused, ltssm_unused;
  logic       link_down_unused, int_sent_unused, hot_reset_unused;
  logic [1:0] link_status_unused;
  logic [3:0] width_unused;
  logic [2:0] speed_unused;
  logic [31:0] mgmt_rdata_unused;

  pcie3_rp u_ip (
    .pci_exp_txn                      (pci_tx_n),
    .pci_exp_txp                      (pci_tx_p),
    .pci_exp_rxn                      (pci_rx_n),
    .pci_exp_rxp                      (pci_rx_p),
    .sys_clk                          (refclk),
    .sys_clk_gt                       (refclk_gt),
    .sys_reset                        (reset_n),
    .user_clk                         (clk),
    .user_reset                       (user_reset),
    .user_lnk_up                      (lnk_up),
    .s_axis_rq_tdata                  (rq_tdata),
    .s_axis_rq_tkeep                  (rq_tkeep),
    .s_axis_rq_tlast                  (rq_tlast),
    .s_axis_rq_tready                 (rq_tready),
    .s_axis_rq_tuser                  (rq_tuser),
    .s_axis_rq_tvalid                 (rq_tvalid),
    .m_axis_rc_tdata                  (rc_tdata),
    .m_axis_rc_tkeep                  (rc_tkeep),
    .m_axis_rc_tlast                  (rc_tlast),
    .m_axis_rc_tready                 (rc_tready),
    .m_axis_rc_tuser                  (rc_tuser),
    .m_axis_rc_tvalid                 (rc_tvalid),
    .m_axis_cq_tdata                  (cq_tdata),
    .m_axis_cq_tkeep                  (cq_tkeep),
    .m_axis_cq_tlast                  (cq_tlast),
    .m_axis_cq_tready                 (cq_tready),
    .m_axis_cq_tuser                  (cq_tuser),
    .m_axis_cq_tvalid                 (cq_tvalid),
    .s_axis_cc_tdata                  (cc_tdata),
    .s_axis_cc_tkeep                  (cc_tkeep),
    .s_axis_cc_tlast                  (cc_tlast),
    .s_axis_cc_tready                 (cc_tready),
    .s_axis_cc_tuser                  (cc_tuser),
    .s_axis_cc_tvalid                 (cc_tvalid),
    .pcie_cq_np_req                   (1'b1),
    .pcie_cq_np_req_count             (npreq_count_unused),
    .cfg_phy_link_down                (link_down_unused),
    .cfg_phy_link_status              (link_status_unused),
    .cfg_negotiated_width             (width_unused),
    .cfg_current_speed                (speed_unused),
    .cfg_max_payload                  (mps_unused),
    .cfg_max_read_req                 (mrrs_unused),
    .cfg_function_status              (fstat_unused),
    .cfg_ltssm_state                  (ltssm_unused),
    .cfg_mgmt_addr                    (mg_addr),
    .cfg_mgmt_write                   (mg_write),
    .cfg_mgmt_write_data              (mg_wdata),
    .cfg_mgmt_byte_enable             (mg_be),
    .cfg_mgmt_read                    (mg_read),
    .cfg_mgmt_read_data               (mgmt_rdata_unused),
    .cfg_mgmt_read_write_done         (mg_done),
    .cfg_mgmt_type1_cfg_reg_access    (mg_type1),
    .cfg_interrupt_int                (4'd0),
    .cfg_interrupt_pending            (4'd0),
    .cfg_interrupt_sent               (int_sent_unused),
    .cfg_dsn                          (64'd0),
    .cfg_power_state_change_interrupt (pm_irq),
    .cfg_power_state_change_ack       (pm_irq),
    .cfg_flr_in_process               (flr),
    .cfg_flr_done                     (flr),
    .cfg_err_cor_in                   (1'b0),
    .cfg_err_uncor_in                 (1'b0),
    .cfg_link_training_enable         (1'b1),
    .cfg_config_space_enable          (1'b1),
    .cfg_req_pm_transition_l23_ready  (1'b0),
    .cfg_hot_reset_in                 (1'b0),
    .cfg_hot_reset_out                (hot_reset_unused)
  );

  xpcie_port #(
    .DATA_W        (DATA_W),
    .BAR_REMAP     (1'b0),
    .CPL_ID_ENABLE (1'b1),
    .RID_ENABLE    (1'b1)
  ) u_port (
    .clk              (clk),
    .user_reset       (user_reset),
    .rst              (rst),
    .s_axis_cq_tdata  (cq_tdata),
    .s_axis_cq_tuser  (cq_tuser),
    .s_axis_cq_tkeep  (cq_tkeep),
    .s_axis_cq_tlast  (cq_tlast),
    .s_axis_cq_tvalid (cq_tvalid),
    .s_axis_cq_tready (cq_tready),
    .s_axis_rc_tdata  (rc_tdata),
    .s_axis_rc_tuser  (rc_tuser),
    .s_axis_rc_tkeep  (rc_tkeep),
    .s_axis_rc_tlast  (rc_tlast),
    .s_axis_rc_tvalid (rc_tvalid),
    .s_axis_rc_tready (rc_tready),
    .m_axis_cc_tdata  (cc_tdata),
    .m_axis_cc_tuser  (cc_tuser),
    .m_axis_cc_tkeep  (cc_tkeep),
    .m_axis_cc_tlast  (cc_tlast),
    .m_axis_cc_tvalid (cc_tvalid),
    .m_axis_cc_tready (cc_tready[0]),
    .m_axis_rq_tdata  (rq_tdata),
    .m_axis_rq_tuser  (rq_tuser),
    .m_axis_rq_tkeep  (rq_tkeep),
    .m_axis_rq_tlast  (rq_tlast),
    .m_axis_rq_tvalid (rq_tvalid),
    .m_axis_rq_tready (rq_tready[0]),
    .up_hdr           (m_hdr),
    .up_data          (m_data),
    .up_sop           (m_sop),
    .up_eop           (m_eop),
    .up_err           (m_err),
    .up_valid         (m_valid),
    .up_ready         (m_ready),
    .dn_hdr           (m_hdr),
    .dn_data          (m_data),
    .dn_sop           (m_sop),
    .dn_eop           (m_eop),
    .dn_err           (m_err),
    .dn_valid         (m_valid),
    .dn_ready         (m_ready),
    .xtx_hdr          (o_hdr),
    .xtx_data         (o_data),
    .xtx_sop          (o_sop),
    .xtx_eop          (o_eop),
    .xtx_valid        (o_valid),
    .xtx_ready        (o_ready),
    .out_hdr          (o_hdr),
    .out_data         (o_data),
    .out_sop          (o_sop),
    .out_eop          (o_eop),
    .out_valid        (o_valid),
    .out_ready        (o_ready),
    .core_clk         (core_clk),
    .core_rst         (core_rst),
    .rx_hdr           (rx_hdr),
    .rx_data          (rx_data),
    .rx_sop           (rx_sop),
    .rx_eop           (rx_eop),
    .rx_valid         (rx_valid),
    .rx_ready         (rx_ready),
    .tx_hdr           (tx_hdr),
    .tx_data          (tx_data),
    .tx_sop           (tx_sop),
    .tx_eop           (tx_eop),
    .tx_valid         (tx_valid),
    .tx_ready         (tx_ready)
  );

  xpcie_rp_init #(
    .SEC_BUS (8'd1)
  ) u_init (
    .clk                           (clk),
    .rst                           (rst),
    .cfg_mgmt_addr                 (mg_addr),
    .cfg_mgmt_write                (mg_write),
    .cfg_mgmt_write_data           (mg_wdata),
    .cfg_mgmt_byte_enable          (mg_be),
    .cfg_mgmt_read                 (mg_read),
    .cfg_mgmt_type1_cfg_reg_access (mg_type1),
    .cfg_mgmt_read_write_done      (mg_done),
    .done                          (init_done)
  );

endmodule
