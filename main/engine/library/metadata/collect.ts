// JPEG and WebP carry the same two blocks (an EXIF TIFF and an XMP packet) in different containers: each
// reader walks its container and feeds the blocks here, in file order.
import { readExifTiff } from './exif.ts';
import type { ReadMetadataResult } from './types.ts';
import { readOurXmp } from './xmp.ts';

export type ContainerRead = Omit<ReadMetadataResult, 'format' | 'record'> & { recordJson: string | null };

export class MetadataCollector {
  private exifComment: string | null = null;
  private xmpParameters: string | null = null;
  private recordJson: string | null = null;
  readonly other: Record<string, string> = {};

  exif(tiff: Buffer): void {
    const exif = readExifTiff(tiff);
    this.exifComment ??= exif.userComment;
    if (exif.imageDescription) this.other.ImageDescription ??= exif.imageDescription;
    if (exif.software) this.other.Software ??= exif.software;
  }

  xmp(xml: string): void {
    const x = readOurXmp(xml);
    if (!x) return;
    this.xmpParameters ??= x.parameters;
    this.recordJson ??= x.record;
  }

  result(): ContainerRead {
    // Our XMP copy is never cut short, the EXIF one may be: prefer it when both are there.
    return {
      parameters: this.xmpParameters ?? this.exifComment,
      recordJson: this.recordJson,
      other: this.other,
    };
  }
}
