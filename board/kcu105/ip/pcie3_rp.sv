`default_nettype none
// pcie3_rp: black box of the AMD "UltraScale Devices Gen3 Integrated Block
// for PCI Express" IP (pcie3_ultrascale, PG156) as board/kcu105/build.tcl
// generates it: root port, Gen3 x4, 256-bit AXI4-Stream at 125 MHz, block
// PCIE_3_1_X0Y2 with GTH quad 228 (FMC HPC DP0-3, the FPGA Drive FMC's
// first M.2 slot). Only the ports the board top connects are listed. Names
// and widths: PG156 v4.4 port tables, checked against synthesis stubs that
// Vivado wrote for pcie3_ultrascale 4.4 (board/kcu105/ref/
// pcie3_ultrascale_ports.txt). Interfaces these ports need enabled:
// cfg_status_if, cfg_ctl_if and cfg_mgmt_if (PG156, "Configuration
// Management Interface": a root port sets up its own header through it); no
// configuration-extend interface and no MSI-X in root-port mode. Written for
// Yosys and lint; Vivado uses the real IP.
(* blackbox *)
module pcie3_rp (
  output logic [3:0] pci_exp_txn,
  output logic [3:0] pci_exp_txp,
  input  wire logic [3:0] pci_exp_rxn,
  input  wire logic [3:0] pci_exp_rxp,
  input  wire logic sys_clk,  // reference clock / 2 (IBUFDS_GTE3 ODIV2)
  input  wire logic sys_clk_gt,  // reference clock for the transceivers (IBUFDS_GTE3 O)
  input  wire logic sys_reset,  // active low (PERST#)
  output logic user_clk,
  output logic user_reset,
  output logic user_lnk_up,
  input  wire logic [255:0] s_axis_rq_tdata,
  input  wire logic [7:0] s_axis_rq_tkeep,
  input  wire logic s_axis_rq_tlast,
  output logic [3:0] s_axis_rq_tready,
  input  wire logic [59:0] s_axis_rq_tuser,
  input  wire logic s_axis_rq_tvalid,
  output logic [255:0] m_axis_rc_tdata,
  output logic [7:0] m_axis_rc_tkeep,
  output logic m_axis_rc_tlast,
  input  wire logic m_axis_rc_tready,
  output logic [74:0] m_axis_rc_tuser,
  output logic m_axis_rc_tvalid,
  output logic [255:0] m_axis_cq_tdata,
  output logic [7:0] m_axis_cq_tkeep,
  output logic m_axis_cq_tlast,
  input  wire logic m_axis_cq_tready,
  output logic [84:0] m_axis_cq_tuser,
  output logic m_axis_cq_tvalid,
  input  wire logic [255:0] s_axis_cc_tdata,
  input  wire logic [7:0] s_axis_cc_tkeep,
  input  wire logic s_axis_cc_tlast,
  output logic [3:0] s_axis_cc_tready,
  input  wire logic [32:0] s_axis_cc_tuser,
  input  wire logic s_axis_cc_tvalid,
  input  wire logic pcie_cq_np_req,
  output logic [5:0] pcie_cq_np_req_count,
  output logic cfg_phy_link_down,
  output logic [1:0] cfg_phy_link_status,
  output logic [3:0] cfg_negotiated_width,
  output logic [2:0] cfg_current_speed,
  output logic [2:0] cfg_max_payload,
  output logic [2:0] cfg_max_read_req,
  output logic [15:0] cfg_function_status,
  output logic [5:0] cfg_ltssm_state,
  input  wire logic [18:0] cfg_mgmt_addr,
  input  wire logic cfg_mgmt_write,
  input  wire logic [31:0] cfg_mgmt_write_data,
  input  wire logic [3:0] cfg_mgmt_byte_enable,
  input  wire logic cfg_mgmt_read,
  output logic [31:0] cfg_mgmt_read_data,
  output logic cfg_mgmt_read_write_done,
  input  wire logic cfg_mgmt_type1_cfg_reg_access,
  input  wire logic [3:0] cfg_interrupt_int,
  input  wire logic [3:0] cfg_interrupt_pending,
  output logic cfg_interrupt_sent,
  input  wire logic [63:0] cfg_dsn,
  output logic cfg_power_state_change_interrupt,
  input  wire logic cfg_power_state_change_ack,
  output logic [3:0] cfg_flr_in_process,
  input  wire logic [3:0] cfg_flr_done,
  input  wire logic cfg_err_cor_in,
  input  wire logic cfg_err_uncor_in,
  input  wire logic cfg_link_training_enable,
  input  wire logic cfg_config_space_enable,
  input  wire logic cfg_req_pm_transition_l23_ready,
  input  wire logic cfg_hot_reset_in,
  output logic cfg_hot_reset_out
);
endmodule
