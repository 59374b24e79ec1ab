resource "aws_lambda_function" "chat" {
  function_name = "chat"
  role          = aws_iam_role.chat.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "chat.zip"

  environment {
    variables = {
      OPENAI_SECRET_ARN = aws_secretsmanager_secret.openai.arn
    }
  }
}
