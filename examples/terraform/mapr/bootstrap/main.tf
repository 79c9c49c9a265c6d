# Bootstraps one MapR node over SSH: gives it its cluster identity
# (configure.sh, only if it has none) and, once HPE has issued a license
# for the printed cluster id, installs that license.
#
#   terraform apply -var host=node1.example.com -var user=admin \
#     -var private_key_file=~/.ssh/id_ed25519 -var 'cldb_nodes=["node1.example.com"]' \
#     -var 'zk_nodes=["node1.example.com","node2.example.com","node3.example.com"]'
#   # obtain a license for the cluster_id output, then:
#   terraform apply ... -var license_file=./license.txt
#
# Both applies can be repeated: nothing changes the second time.

terraform {
  required_providers {
    mapr = {
      source = "gatewayd-toolkit/mapr"
    }
  }
}

variable "host" {
  type        = string
  description = "The node to bootstrap."
}

variable "port" {
  type    = number
  default = 22
}

variable "user" {
  type        = string
  description = "SSH user on the node."
}

variable "private_key_file" {
  type = string
}

variable "known_hosts_file" {
  type        = string
  default     = "~/.ssh/known_hosts"
  description = "Must list the node's host key: verify its fingerprint, then add it (ssh-keyscan)."
}

variable "sudo" {
  type        = bool
  default     = true
  description = "configure.sh must run as root; maprcli usually too."
}

variable "mapr_home" {
  type        = string
  default     = "/opt/mapr"
  description = "MapR's installation directory on the node."
}

variable "upload_dir" {
  type    = string
  default = "/tmp"
}

variable "cluster_name" {
  type    = string
  default = "demo.mapr.example.com"
}

variable "cldb_nodes" {
  type = list(string)
}

variable "zk_nodes" {
  type        = list(string)
  description = "In the same order on every node."
}

variable "license_file" {
  type        = string
  default     = null
  description = "The license HPE issued for the cluster_id output; leave unset for the first apply."
}

provider "mapr" {
  host                = var.host
  port                = var.port
  user                = var.user
  private_key_file    = var.private_key_file
  known_hosts_file    = var.known_hosts_file
  sudo                = var.sudo
  maprcli_path        = "${var.mapr_home}/bin/maprcli"
  configure_sh_path   = "${var.mapr_home}/server/configure.sh"
  conf_dir            = "${var.mapr_home}/conf"
  warden_stop_command = ["${var.mapr_home}/initscripts/mapr-warden", "stop"]
  upload_dir          = var.upload_dir
}

resource "mapr_cluster" "this" {
  cluster_name = var.cluster_name
  cldb_nodes   = var.cldb_nodes
  zk_nodes     = var.zk_nodes
}

resource "mapr_license" "this" {
  count        = var.license_file == null ? 0 : 1
  license_file = var.license_file

  depends_on = [mapr_cluster.this]
}

output "cluster_id" {
  value = mapr_cluster.this.cluster_id
}

output "license_id" {
  value = one(mapr_license.this[*].license_id)
}
