output "role_arn" {
  description = "ARN of the role; annotate the service account with it (eks.amazonaws.com/role-arn)."
  value       = aws_iam_role.agent.arn
}

output "role_name" {
  description = "Name of the role."
  value       = aws_iam_role.agent.name
}

output "subject" {
  description = "The service account subject the trust policy accepts."
  value       = "system:serviceaccount:${var.namespace}:${var.service_account}"
}
