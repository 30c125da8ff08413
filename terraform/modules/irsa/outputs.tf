output "role_arn" {
  description = "ARN of the role, handed on after the IAM propagation wait; annotate the service account with it (eks.amazonaws.com/role-arn)."
  value       = time_sleep.iam_propagation.triggers["role_arn"]
}

output "role_name" {
  description = "Name of the role."
  value       = aws_iam_role.agent.name
}

output "subject" {
  description = "The service account subject the trust policy accepts."
  value       = "system:serviceaccount:${var.namespace}:${var.service_account}"
}
