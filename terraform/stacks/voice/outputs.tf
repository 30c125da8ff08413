output "account_id" {
  description = "The account the stack lives in."
  value       = var.account_id
}

output "region" {
  description = "The region the stack lives in."
  value       = var.region
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = module.network.vpc_id
}

output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "HTTPS endpoint of the Kubernetes API."
  value       = module.eks.cluster_endpoint
}

output "cluster_admin_principal_arns" {
  description = "IAM principals with a cluster administrator access entry (the deployer's role included)."
  value       = module.eks.admin_principal_arns
}

output "cluster_certificate_authority_data" {
  description = "Base64 PEM of the cluster CA, for kubeconfig."
  value       = module.eks.cluster_certificate_authority_data
}

output "oidc_issuer_url" {
  description = "The cluster's OIDC issuer URL."
  value       = module.eks.oidc_issuer_url
}

output "planner_kubernetes_group" {
  description = "The Kubernetes group the planner's access entry gives it, which roles bind to what it may read."
  value       = module.eks.planner_kubernetes_group
}

output "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider (IRSA)."
  value       = module.eks.oidc_provider_arn
}

output "agent_role_arn" {
  description = "IAM role of the voice agent; the service account's eks.amazonaws.com/role-arn annotation."
  value       = module.irsa.role_arn
}

output "agent_namespace" {
  description = "Namespace of the agent's service account."
  value       = var.agent.namespace
}

output "agent_service_account" {
  description = "Name of the agent's service account."
  value       = var.agent.service_account
}

output "alb_arn" {
  description = "ARN of the WebSocket load balancer."
  value       = module.alb.alb_arn
}

output "alb_dns_name" {
  description = "DNS name of the WebSocket load balancer."
  value       = module.alb.alb_dns_name
}

output "alb_idle_timeout" {
  description = "Idle timeout of the load balancer in seconds."
  value       = module.alb.idle_timeout
}

output "alb_target_group_arn" {
  description = "Target group of the agent pods."
  value       = module.alb.target_group_arn
}

output "alb_target_port" {
  description = "Port of the agent's pods (the agent Service's targetPort)."
  value       = var.alb.target_port
}

output "alb_node_port" {
  description = "Node port of the agent's Kubernetes Service; the load balancer's targets are the nodes on this port."
  value       = module.alb.target_port
}

output "alb_deregistration_delay" {
  description = "Seconds a deregistered node keeps its open connections."
  value       = module.alb.deregistration_delay
}

output "alb_security_group_id" {
  description = "Security group of the load balancer."
  value       = module.alb.security_group_id
}

output "cluster_security_group_id" {
  description = "The cluster security group the managed nodes carry; it admits the load balancer on the node port."
  value       = module.eks.cluster_security_group_id
}

output "node_group_autoscaling_group_name" {
  description = "Auto Scaling group of the managed node group; the target group is attached to it."
  value       = module.eks.node_group_autoscaling_group_name
}

output "alb_listener_arns" {
  description = "Listener ARNs of the load balancer."
  value       = module.alb.listener_arns
}

output "collection_name" {
  description = "Name of the OpenSearch Serverless collection."
  value       = module.vector_store.collection_name
}

output "collection_arn" {
  description = "ARN of the OpenSearch Serverless collection."
  value       = module.vector_store.collection_arn
}

output "collection_id" {
  description = "ID of the OpenSearch Serverless collection."
  value       = module.vector_store.collection_id
}

output "collection_endpoint" {
  description = "Endpoint of the OpenSearch Serverless collection."
  value       = module.vector_store.collection_endpoint
}

output "collection_vpc_endpoint_id" {
  description = "ID of the OpenSearch Serverless VPC endpoint the stack created for the collection (null with vector_store.private_endpoint = false)."
  value       = module.vector_store.vpc_endpoint_id
}

output "collection_network_policy" {
  description = "The collection's network policy as applied: who reaches the collection and its Dashboards."
  value       = module.vector_store.network_policy
}

output "stack_owner" {
  description = "Whose stack this state holds: the customer and account that wrote it. A run for another customer refuses to plan against it."
  value = {
    customer   = var.customer
    account_id = var.account_id
  }
}
