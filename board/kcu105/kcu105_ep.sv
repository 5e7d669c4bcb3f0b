`default_nettype none
// kcu105_ep: the host-facing PCIe endpoint of the KCU105 board: the
// PCIe3 UltraScale hard IP (pcie3_ep, Gen3 x8, 256-bit at 250 MHz) and the
// adapters between its CQ/CC/RQ/RC interfaces and the core's TLP streams.
// Clock domains: the IP's user clock (everything up to the crossings) and
// core_clk (rx_*/tx_*, core_rst).
//
// The adapters, merge, split and crossings are xpcie_port's. Receive: CQ
// (BAR hits moved to the core's shadow bases) and RC merge, pass the
// configuration bridge (xpcie_ep_cfg) and cross to the core whole (a
// discontinued TLP is dropped). Transmit: the core's TLPs cross, pass the
// bridge (which takes out the completions of its own requests) and split:
// completions to CC, requests (DMA, MSI-X messages) to RQ.
//
// Interfaces: the link and reference clock, the core's TLP streams and INTx
// level, status for LEDs.
module kcu105_ep #(
  parameter int DATA_W = 256,                 // TLP stream width (the adapters take 256)
  parameter int BAR2_SIZE_LOG2 = 30,          // BAR 2 size, log2 bytes
  parameter logic [63:0] SH_BAR0 = 64'h8000_0000, // the core's BAR bases (shadow)
  parameter logic [63:0] SH_BAR2 = 64'h4000_0000
) (
  // --- link ---
  input  wire logic       refclk,       // 100 MHz reference / 2 (ODIV2)
  input  wire logic       refclk_gt,
  input  wire logic       perst_n,
  input  wire logic [7:0] pci_rx_p,
  input  wire logic [7:0] pci_rx_n,
  output logic      [7:0] pci_tx_p,
  output logic      [7:0] pci_tx_n,
  output logic            lnk_up,       // user clock domain (for an LED)
  output logic            cfg_ready,    // user clock domain (for an LED)

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
  output logic                   tx_ready,
  input  wire logic              intx_assert
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

  // Configuration status and extend
  logic [15:0]  fstat;
  logic [2:0]   mps, mrrs;
  logic [3:0]   msix_en, msix_mask, flr;
  logic         x_rd, x_wr, x_rvalid, pm_irq;
  logic [9:0]   x_reg;
  logic [7:0]   x_fn_unused;
  logic [31:0]  x_wdata, x_rdata;
  logic [3:0]   x_be;
  logic         intx_s;

  // The user clock domain's streams through the configuration bridge
  logic [127:0] m_hdr, d_hdr, t_hdr, o_hdr;
  logic [255:0] m_data, d_data, t_data, o_data;
  logic m_sop, m_eop, m_err, m_valid, m_ready;
  logic d_sop, d_eop, d_err, d_valid, d_ready;
  logic t_sop, t_eop, t_valid, t_ready;
  logic o_sop, o_eop, o_valid, o_ready;

  // Unused status of the IP (kept named for a debugger)
  logic [5:0] npreq_count_unused, ltssm_unused;
  logic       link_down_unused, int_sent_unused, hot_reset_unused;
  logic [1:0] link_status_unused;
  logic [3:0] width_unused;
  logic [2:0] speed_unused;

  pcie3_ep u_ip (
    .pci_exp_txn                      (pci_tx_n),
    .pci_exp_txp                      (pci_tx_p),
    .pci_exp_rxn                      (pci_rx_n),
    .pci_exp_rxp                      (pci_rx_p),
    .sys_clk                          (refclk),
    .sys_clk_gt                       (refclk_gt),
    .sys_reset                        (perst_n),
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
    .cfg_max_payload                  (mps),
    .cfg_max_read_req                 (mrrs),
    .cfg_function_status              (fstat),
    .cfg_ltssm_state                  (ltssm_unused),
    .cfg_ext_read_received            (x_rd),
    .cfg_ext_write_received           (x_wr),
    .cfg_ext_register_number          (x_reg),
    .cfg_ext_function_number          (x_fn_unused),
    .cfg_ext_write_data               (x_wdata),
    .cfg_ext_write_byte_enable        (x_be),
    .cfg_ext_read_data                (x_rdata),
    .cfg_ext_read_data_valid          (x_rvalid),
    .cfg_interrupt_int                ({3'd0, intx_s}),
    .cfg_interrupt_pending            (4'd0),
    .cfg_interrupt_sent               (int_sent_unused),
    .cfg_interrupt_msix_enable        (msix_en),
    .cfg_interrupt_msix_mask          (msix_mask),
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
    .DATA_W         (DATA_W),
    .BAR_REMAP      (1'b1),
    .BAR0_SIZE_LOG2 (pcie_pkg::BAR0_SIZE_LOG2),
    .BAR2_SIZE_LOG2 (BAR2_SIZE_LOG2),
    .BAR0_BASE      (SH_BAR0),
    .BAR2_BASE      (SH_BAR2),
    .CPL_ID_ENABLE  (1'b0),
    .RID_ENABLE     (1'b0)
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
    .dn_hdr           (d_hdr),
    .dn_data          (d_data),
    .dn_sop           (d_sop),
    .dn_eop           (d_eop),
    .dn_err           (d_err),
    .dn_valid         (d_valid),
    .dn_ready         (d_ready),
    .xtx_hdr          (t_hdr),
    .xtx_data         (t_data),
    .xtx_sop          (t_sop),
    .xtx_eop          (t_eop),
    .xtx_valid        (t_valid),
    .xtx_ready        (t_ready),
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

  brd_sync #(
    .W      (1),
    .STAGES (2)
  ) u_intx_sync (
    .clk (clk),
    .d   (intx_assert),
    .q   (intx_s)
  );

  // The configuration bridge between the merged receive stream and its
  // crossing, and between the transmit crossing and the split.
  // The user legacy window of the UltraScale Gen3 block: register numbers
  // 0x10-0x1F, bytes 0x40-0x7F (PG156 v4.4, "Configuration Extend
  // Interface", cfg_ext_read_received); the block's own capabilities sit at
  // 0x80 (PM), 0xB0 (MSI-X) and 0xC0 (PCI Express) (PF0_CAPABILITY_POINTER
  // 0x80 and the *_CAP_NEXTPTR values in pcie3_ultrascale's
  // CORE_GENERATION_INFO), and build.tcl points the PCI Express
  // capability's next pointer here. 64 bytes hold common, notify, ISR and
  // device configuration with the ISR's length DW shared; the shared-memory
  // capability (DAX) does not fit and is not offered on this board
  // (board/kcu105/README.md).
  xpcie_ep_cfg #(
    .BAR0_BASE     (SH_BAR0),
    .BAR2_BASE     (SH_BAR2),
    .CORE_CAP_BASE (8'h90),
    .WIN_BASE      (8'h40),
    .WIN_DWS       (16),
    .SHARE_ISR_LEN (1'b1)
  ) u_cfg (
    .clk                       (clk),
    .rst                       (rst),
    .cfg_function_status       (fstat[3:1]),
    .cfg_max_payload           (mps),
    .cfg_max_read_req          (mrrs),
    .cfg_msix_enable           (msix_en[0]),
    .cfg_msix_mask             (msix_mask[0]),
    .cfg_ext_read_received     (x_rd),
    .cfg_ext_write_received    (x_wr),
    .cfg_ext_register_number   (x_reg),
    .cfg_ext_write_data        (x_wdata),
    .cfg_ext_write_byte_enable (x_be),
    .cfg_ext_read_data         (x_rdata),
    .cfg_ext_read_data_valid   (x_rvalid),
    .up_hdr                    (m_hdr),
    .up_data                   (m_data),
    .up_sop                    (m_sop),
    .up_eop                    (m_eop),
    .up_err                    (m_err),
    .up_valid                  (m_valid),
    .up_ready                  (m_ready),
    .dn_hdr                    (d_hdr),
    .dn_data                   (d_data),
    .dn_sop                    (d_sop),
    .dn_eop                    (d_eop),
    .dn_err                    (d_err),
    .dn_valid                  (d_valid),
    .dn_ready                  (d_ready),
    .tx_hdr                    (t_hdr),
    .tx_data                   (t_data),
    .tx_sop                    (t_sop),
    .tx_eop                    (t_eop),
    .tx_valid                  (t_valid),
    .tx_ready                  (t_ready),
    .out_hdr                   (o_hdr),
    .out_data                  (o_data),
    .out_sop                   (o_sop),
    .out_eop                   (o_eop),
    .out_valid                 (o_valid),
    .out_ready                 (o_ready),
    .ready                     (cfg_ready)
  );

endmodule
