output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = aws_eks_cluster.this.arn
}

output "cluster_endpoint" {
  description = "HTTPS endpoint of the Kubernetes API."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 PEM of the cluster's certificate authority, for kubeconfig."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "oidc_issuer_url" {
  description = "The cluster's OIDC issuer URL (with https://)."
  value       = aws_eks_cluster.this.identity[0].oidc[0].issuer
}

output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider for IRSA."
  value       = aws_iam_openid_connect_provider.this.arn
}

output "node_role_arn" {
  description = "IAM role of the nodes."
  value       = aws_iam_role.node.arn
}

output "cluster_security_group_id" {
  description = "The security group EKS made for the cluster; the managed nodes carry it."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "node_group_autoscaling_group_name" {
  description = "Auto Scaling group of the managed node group."
  value       = aws_eks_node_group.this.resources[0].autoscaling_groups[0].name
}

output "admin_principal_arns" {
  description = "IAM principals with a cluster administrator access entry (the deployer's role included)."
  value       = sort([for e in aws_eks_access_policy_association.admin : e.principal_arn])
}

output "planner_kubernetes_group" {
  description = "The Kubernetes group of the planner's access entry (null without a planner)."
  value       = var.planner_role_arn == null ? null : local.planner_kubernetes_group
}
