/** `feedproc validate FILE [--type T] [--format F]`: the offline "check my file". No Redis. */
import { access, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Config } from '../../core/config.js';
import { FeedError } from '../../core/errors.js';
import { feedTypeByName, FEED_TYPES, isOrderReportTypeName, ORDER_REPORT_TYPE } from '../../core/feed-types.js';
import { limitsOf } from '../../core/limits.js';
import type { ReportFormat } from '../../core/types.js';
import { isOrderReportFile } from '../../parse/order-report.js';
import { nativeReportFormat, renderReport, writeReport } from '../../report/index.js';
import { validateFeedFile, type SchemaRegistry } from '../../validate/index.js';
import { checkOrderReport, orderReportCheckJson, orderReportCheckText } from '../../validate/order-report-check.js';
import { exitCodeForOrderReportCheck, exitCodeForReport } from '../exit-codes.js';
import { startProgress } from '../progress-line.js';

export interface ValidateArgs {
  file: string;
  type?: string | undefined;
  format?: ReportFormat | undefined;
}

export async function runValidate(
  schemas: SchemaRegistry,
  config: Config,
  args: ValidateArgs,
  out: NodeJS.WritableStream,
): Promise<number> {
  const orderReportType = args.type !== undefined && isOrderReportTypeName(args.type);
  const expectedType = args.type === undefined ? undefined : feedTypeByName(args.type);
  if (args.type !== undefined && !expectedType && !orderReportType) {
    const known = [...FEED_TYPES.map((t) => t.feedType), ORDER_REPORT_TYPE].join(', ');
    throw new FeedError('CLI_USAGE', { detail: `unknown feed type ${args.type}; known types: ${known}` });
  }
  await requireReadableFile(args.file);
  // Amazon's order report is checked as an import would read it, as the drop folder would treat it.
  if (orderReportType || (args.type === undefined && (await isOrderReportFile(args.file))))
    return validateOrderReport(args, out);
  const progress = await startProgress(args.file, args.format);
  let report;
  try {
    report = await validateFeedFile(schemas, args.file, {
      expectedType,
      meter: progress.meter,
      limits: limitsOf(config),
    });
  } finally {
    progress.end();
  }
  await writeReport(renderReport(report, args.format ?? nativeReportFormat(report), basename(args.file)), out);
  return exitCodeForReport(report);
}

async function validateOrderReport(args: ValidateArgs, out: NodeJS.WritableStream): Promise<number> {
  if (args.format !== undefined && args.format !== 'text' && args.format !== 'json')
    throw new FeedError('CLI_USAGE', {
      detail: `an order report (${ORDER_REPORT_TYPE}) is checked as text or json, not ${args.format}`,
    });
  const check = await checkOrderReport(args.file, basename(args.file));
  out.write(args.format === 'json' ? orderReportCheckJson(check) : orderReportCheckText(check));
  return exitCodeForOrderReportCheck(check);
}

/** A readable regular file, or a one-line usage error (exit 2). */
export async function requireReadableFile(path: string): Promise<void> {
  const fail = (detail: string): never => {
    throw new FeedError('CLI_FILE_UNREADABLE', { path, detail });
  };
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
  if (!info.isFile()) fail('not a regular file');
  await access(path).catch((err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
}
