/**
 * The upload of a checked dataset to one prefix of the bucket (the training channel, or the held-out test set):
 * each accepted image normalised (lambda/image/normalise.ts) and put with its original's SHA-256 in the object's
 * metadata; what is already there with the same original and the same normalisation is skipped, so a push that was
 * interrupted uploads only what is missing when run again.
 *
 * Concurrency is bounded (mapWithConcurrency) and each call is retried by the AWS SDK's standard retry strategy
 * (exponential backoff with jitter, MAX_ATTEMPTS in context.ts) on throttling, 5xx answers and dropped connections.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { DeleteObjectCommand, HeadObjectCommand, NotFound, PutObjectCommand, S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { normaliseImage } from '../../lambda/image/normalise';
import { mapWithConcurrency } from '../concurrency';
import { CliError, toCliError } from '../errors';
import { Progress } from '../progress';
import { objectKeys } from './keys';

/** The user metadata the command line writes on every object it uploads (S3 stores it as x-amz-meta-<name>). */
export const METADATA = {
  /** SHA-256 of the original local file, hex */
  sourceSha256: 'source-sha256',
  /** which settings made the object, e.g. `max-edge=448,quality=90`: a change of settings uploads again */
  normalisation: 'normalisation',
  /** always UPLOADED_BY: `--delete` removes only objects that carry it */
  uploadedBy: 'uploaded-by',
} as const;
export const UPLOADED_BY = 'cdk-sagemaker-image-classifier';

export interface PushTarget {
  readonly bucket: string;
  /** the key prefix, ending with `/` (e.g. `dataset/training/`) */
  readonly prefix: string;
}

export interface LocalImage {
  /** `/`-separated path from the dataset folder */
  readonly file: string;
  readonly absolutePath: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface NormalisationSettings {
  readonly maxEdge: number;
  readonly jpegQuality: number;
}

export type UploadAction = 'upload' | 'skip';

export interface PlannedObject {
  readonly file: string;
  readonly key: string;
  readonly action: UploadAction;
  /** why: 'new', 'changed' (another original or other settings), 'unchanged' */
  readonly reason: 'new' | 'changed' | 'unchanged';
}

export interface PushPlan {
  readonly target: PushTarget;
  readonly objects: readonly PlannedObject[];
  /** keys under the prefix, uploaded by this command line, whose local file is gone (deleted only with --delete) */
  readonly orphans: readonly string[];
}

export interface PushResult {
  readonly target: PushTarget;
  readonly uploaded: readonly string[];
  readonly skipped: readonly string[];
  readonly deleted: readonly string[];
  /** bytes of the originals of the uploaded objects, and of what was uploaded */
  readonly sourceBytes: number;
  readonly uploadedBytes: number;
}

export function normalisationTag(settings: NormalisationSettings): string {
  return `max-edge=${settings.maxEdge},quality=${settings.jpegQuality}`;
}

/** Compares the local images with the objects under the prefix (ListObjectsV2, then HeadObject on each shared key). */
export async function planPush(s3: S3Client, target: PushTarget, images: readonly LocalImage[], settings: NormalisationSettings,
  concurrency: number): Promise<PushPlan> {
  const remote = new Set<string>();
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: target.bucket, Prefix: target.prefix })) {
    for (const object of page.Contents ?? []) if (object.Key !== undefined) remote.add(object.Key);
  }
  const keys = objectKeys(target.prefix, images.map((image) => image.file));
  const tag = normalisationTag(settings);
  const objects = await mapWithConcurrency(images, concurrency, async (image): Promise<PlannedObject> => {
    const key = keys.get(image.file)!;
    if (!remote.has(key)) return { file: image.file, key, action: 'upload', reason: 'new' };
    const metadata = await headMetadata(s3, target.bucket, key);
    const same = metadata?.[METADATA.sourceSha256] === image.sha256 && metadata?.[METADATA.normalisation] === tag;
    return { file: image.file, key, action: same ? 'skip' : 'upload', reason: same ? 'unchanged' : 'changed' };
  });
  const planned = new Set(objects.map((object) => object.key));
  const candidates = [...remote].filter((key) => !planned.has(key)).sort();
  const ours = await mapWithConcurrency(candidates, concurrency, async (key) =>
    (await headMetadata(s3, target.bucket, key))?.[METADATA.uploadedBy] === UPLOADED_BY);
  return { target, objects, orphans: candidates.filter((_, index) => ours[index]) };
}

/** Uploads what the plan says, deletes the orphans when asked, and reports progress per object. */
export async function executePush(s3: S3Client, plan: PushPlan, images: readonly LocalImage[], settings: NormalisationSettings,
  options: { readonly concurrency: number; readonly delete: boolean; /** ticked with each original's size */ readonly progress?: Progress }): Promise<PushResult> {
  const byFile = new Map(images.map((image) => [image.file, image]));
  const uploads = plan.objects.filter((object) => object.action === 'upload');
  const uploaded: string[] = [];
  let sourceBytes = 0;
  let uploadedBytes = 0;
  try {
    await mapWithConcurrency(uploads, options.concurrency, async (object) => {
      const image = byFile.get(object.file)!;
      const original = await fs.readFile(image.absolutePath);
      const { jpeg } = normaliseImage(original, settings);
      await s3.send(new PutObjectCommand({
        Bucket: plan.target.bucket,
        Key: object.key,
        Body: jpeg,
        ContentType: 'image/jpeg',
        Metadata: {
          [METADATA.sourceSha256]: image.sha256,
          [METADATA.normalisation]: normalisationTag(settings),
          [METADATA.uploadedBy]: UPLOADED_BY,
        },
      }));
      uploaded.push(object.key);
      sourceBytes += original.length;
      uploadedBytes += jpeg.length;
      options.progress?.tick(original.length);
    });
  } catch (error) {
    const failure = toCliError(error);
    throw new CliError(failure.kind, `${failure.message}\n${uploaded.length} of ${uploads.length} images were uploaded before the failure; `
      + 'run the same command again: it uploads only what is missing.', { cause: error });
  }
  const deleted: string[] = [];
  if (options.delete) {
    await mapWithConcurrency(plan.orphans, options.concurrency, async (key) => {
      await s3.send(new DeleteObjectCommand({ Bucket: plan.target.bucket, Key: key }));
      deleted.push(key);
    });
  }
  return {
    target: plan.target,
    uploaded: uploaded.sort(),
    skipped: plan.objects.filter((object) => object.action === 'skip').map((object) => object.key),
    deleted: deleted.sort(),
    sourceBytes,
    uploadedBytes,
  };
}

async function headMetadata(s3: S3Client, bucket: string, key: string): Promise<Record<string, string> | undefined> {
  try {
    return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).Metadata ?? {};
  } catch (error) {
    // Deleted between the listing and now.
    if (error instanceof NotFound || (error as Error).name === 'NotFound') return undefined;
    throw error;
  }
}

/** The images of a checked dataset that a push uploads. */
export function acceptedImages(folder: string, accepted: readonly string[], hashes: ReadonlyMap<string, { readonly sha256?: string; readonly bytes: number }>): LocalImage[] {
  return accepted.map((file) => {
    const facts = hashes.get(file)!;
    return { file, absolutePath: path.join(folder, ...file.split('/')), sha256: facts.sha256!, bytes: facts.bytes };
  });
}
