/*
 * The posture as the API sends it: UTF-8 JSON put together from the posture
 * row's stored JSON columns without parsing them, and gzip-compressed once,
 * when the posture is stored, with a weak ETag of the compressed bytes.
 *
 * The results are most of the answer (about 37 KB at 90 results). Encoded
 * part by part, they go from the text the driver read straight to bytes:
 * joined to the rest as one string first, they would be copied again, and
 * as two bytes a character where the score's explanation has a character
 * such as '→'.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { PostureRow } from '../../database/tables';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** What an answer is made of: the row's columns, `results` holding failingSince. */
export type AnswerParts = Pick<
  PostureRow,
  | 'entity_ref'
  | 'evaluated_at'
  | 'clusters'
  | 'stale'
  | 'mapped'
  | 'score_detail'
  | 'results'
>;

/** The answer as UTF-8 JSON: an EntityPosture, field for field. */
export function answerJson(parts: AnswerParts): Buffer {
  const head = `{"entityRef":${JSON.stringify(
    parts.entity_ref,
  )},"evaluatedAt":${JSON.stringify(parts.evaluated_at)},"clusters":${
    parts.clusters
  },"stale":${Boolean(parts.stale)},"mapped":${Boolean(parts.mapped)},"score":${
    parts.score_detail
  },"results":`;
  const headBytes = Buffer.byteLength(head);
  const answer = Buffer.allocUnsafe(
    headBytes + Buffer.byteLength(parts.results) + 1,
  );
  answer.write(head, 0);
  const end = headBytes + answer.write(parts.results, headBytes);
  answer[end] = 0x7d; // '}'
  return answer;
}

/**
 * A weak ETag of a body, in the form Express gives its own: the length and
 * a SHA-1 digest. Weak, so it holds across the answer's encodings.
 */
export function weakEtag(body: Buffer): string {
  const hash = createHash('sha1').update(body).digest('base64').slice(0, 27);
  return `W/"${body.length.toString(16)}-${hash}"`;
}

/**
 * The answer compressed, for the row (`answer_gzip`, `answer_etag`). Off
 * the event loop: zlib works in the thread pool.
 */
export async function compressAnswer(
  parts: AnswerParts,
): Promise<{ answer_gzip: Buffer; answer_etag: string }> {
  const compressed = await gzipAsync(answerJson(parts));
  return { answer_gzip: compressed, answer_etag: weakEtag(compressed) };
}

/** A stored compressed answer as plain JSON, for clients that do not accept gzip. */
export function decompressAnswer(compressed: Buffer): Promise<Buffer> {
  return gunzipAsync(compressed);
}
