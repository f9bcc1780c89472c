/** A decoded picture: 8-bit RGB, interleaved, rows top to bottom, `data.length === width * height * 3`. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}
