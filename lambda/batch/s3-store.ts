/**
 * The batch function's ObjectStore: the S3 requests sent with its SDK client (the logic is in
 * lambda/shared/object-store.ts). Its results files grow with the number of images, so they go up as multipart
 * uploads, part by part.
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, ListObjectsV2Command,
  PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ObjectStore, objectStoreOver } from '../shared/object-store';

export function s3ObjectStore(client: S3Client): ObjectStore {
  return objectStoreOver({
    listObjectsV2: (input) => client.send(new ListObjectsV2Command(input)),
    getObject: (input) => client.send(new GetObjectCommand(input)),
    putObject: (input) => client.send(new PutObjectCommand(input)),
  }, {
    createMultipartUpload: (input) => client.send(new CreateMultipartUploadCommand(input)),
    uploadPart: (input) => client.send(new UploadPartCommand(input)),
    completeMultipartUpload: (input) => client.send(new CompleteMultipartUploadCommand(input)),
    abortMultipartUpload: (input) => client.send(new AbortMultipartUploadCommand(input)),
  });
}
