import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Lets `grantee` have AWS services create grants on `key` for it, as attaching an encrypted EBS volume (SageMaker
 * training volumes, endpoint instance storage) requires, and describe the key.
 */
export function grantKeyForAwsResources(key: kms.IKey, grantee: iam.IGrantable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['kms:CreateGrant'],
    resources: [key.keyArn],
    conditions: { Bool: { 'kms:GrantIsForAWSResource': true } },
  }));
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources: [key.keyArn] }));
}

/**
 * Lets CloudWatch Logs encrypt this account's log groups in the stack's region with `key` (a key policy statement:
 * the service cannot use a customer-managed key without one). Does nothing for an imported key, whose policy is its
 * owner's to change. The log group is named by the encryption context, not the resource: naming the group here would
 * make the key and the group depend on each other.
 */
export function allowLogsToUseKey(key: kms.IKey, scope: Stack): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(`logs.${scope.region}.amazonaws.com`)],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey',
      'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
    // In a key policy, '*' is the key itself.
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${scope.partition}:logs:${scope.region}:${scope.account}:log-group:*` } },
  }));
}
