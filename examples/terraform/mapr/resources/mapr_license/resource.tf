variable "license_file" {
  type        = string
  description = "The license file HPE issued for the cluster id (mapr_cluster.cluster_id)."
}

# Added once (maprcli license add), verified with maprcli license list;
# a new file content replaces the license. The text itself works too:
# license = var.license_text (sensitive), or license_wo = var.license_text
# (write-only, kept out of the state; Terraform 1.11 or later).
resource "mapr_license" "m5" {
  license_file = var.license_file

  # A renewed license is added (and verified) before the old one is removed.
  lifecycle {
    create_before_destroy = true
  }
}
