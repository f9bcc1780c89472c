/**
 * The one error type the preprocessing modules throw for a bad image. The handler turns it into an HTTP response
 * with `status` and `{ error: { code, message } }`; the message is written for the caller and never holds a stack.
 */
export type ImageErrorCode =
  /** zero bytes */
  | 'EMPTY_IMAGE'
  /** the magic bytes are not a supported format (JPEG, PNG) */
  | 'UNSUPPORTED_IMAGE_TYPE'
  /** the bytes claim a supported format but cannot be decoded (truncated, corrupt header, ...) */
  | 'CORRUPT_IMAGE'
  /** more bytes than allowed */
  | 'IMAGE_TOO_LARGE'
  /** the header declares more pixels than allowed (refused before decoding) */
  | 'TOO_MANY_PIXELS';

export class ImageError extends Error {
  public readonly code: ImageErrorCode;
  /** 400 for unreadable or unsupported input, 413 for too many bytes or pixels. */
  public readonly status: 400 | 413;

  constructor(code: ImageErrorCode, message: string) {
    super(message);
    this.name = 'ImageError';
    this.code = code;
    this.status = code === 'IMAGE_TOO_LARGE' || code === 'TOO_MANY_PIXELS' ? 413 : 400;
  }
}
