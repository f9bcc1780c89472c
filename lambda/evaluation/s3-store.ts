/**
 * The evaluation function's ObjectStore on the AWS SDK: ListObjectsV2 (paged), GetObject and PutObject.
 * A missing key is `undefined` only when S3 says NoSuchKey, which it does when the role may also list the bucket
 * (s3:ListBucket on the prefix); without that permission S3 answers AccessDenied, which is thrown.
 */
import { GetObjectCommand, paginateListObjectsV2, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ListedObject, ObjectStore } from '../shared/object-store';

export function s3ObjectStore(client: S3Client): ObjectStore {
  return {
    async *listPages(folder) {
      for await (const page of paginateListObjectsV2({ client }, { Bucket: folder.bucket, Prefix: folder.prefix })) {
        yield (page.Contents ?? []).map((object): ListedObject => ({ key: object.Key ?? '', eTag: object.ETag ?? '', size: object.Size ?? 0 }));
      }
    },
    async readText(object) {
      try {
        const output = await client.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
        return await output.Body!.transformToString('utf-8');
      } catch (error) {
        if (error instanceof Error && error.name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async writeText(object, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket: object.bucket, Key: object.key, Body: body, ContentType: contentType }));
    },
  };
}
