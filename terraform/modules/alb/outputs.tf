output "alb_arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "alb_dns_name" {
  description = "DNS name clients connect to."
  value       = aws_lb.this.dns_name
}

output "idle_timeout" {
  description = "The load balancer's idle timeout in seconds."
  value       = aws_lb.this.idle_timeout
}

output "target_group_arn" {
  description = "Instance target group; attach it to the nodes' Auto Scaling group."
  value       = aws_lb_target_group.agent.arn
}

output "listener_arns" {
  description = "ARNs of the listeners (HTTPS first when present)."
  value       = concat(aws_lb_listener.https[*].arn, [aws_lb_listener.http.arn])
}

output "security_group_id" {
  description = "Security group of the load balancer."
  value       = aws_security_group.alb.id
}

output "target_port" {
  description = "Port of the targets (the agent Service's node port)."
  value       = aws_lb_target_group.agent.port
}

output "deregistration_delay" {
  description = "Seconds a deregistered target keeps its open connections."
  value       = tonumber(aws_lb_target_group.agent.deregistration_delay)
}
