import type { FaultDirective, FaultName } from "./faults";
import { jobDuration, randomId, type Job, type JobKind } from "./jobs";
import type { ImageInfo, MediaAssets } from "./media";

/*
 * Everything one running simulator remembers: its settings, its jobs and the counters that
 * `GET /__sim/stats` reports (and `POST /__sim/reset` clears). The protocol handlers reach it
 * through the request context (`ctx.sim`).
 */

/** What `GET /__sim/stats` answers: the one shape tests and benchmarks read. */
export interface SimStats {
  /** Requests by route, e.g. `GET /v1/videos/{id}`. */
  requests: Record<string, number>;
  creates: {
    total: { attempts: number; accepted: number };
    byPrompt: Record<string, { attempts: number; accepted: number }>;
  };
  bytesServed: number;
  uploads: UploadRecord[];
  jobs: number;
  /** Polls and downloads per job id (video/task jobs). */
  perJob: Record<
    string,
    { polls: number; downloads: number; deleted?: boolean; minPollGapMs?: number }
  >;
  faults: Record<string, number>;
}

export interface UploadRecord {
  endpoint: string;
  prompt: string;
  model: string;
  mime: string;
  bytes: number;
  width: number | null;
  height: number | null;
}

export interface Counter {
  attempts: number;
  accepted: number;
}

export interface SimSettings {
  assets: MediaAssets;
  speed: number;
  /** Faults the server was started with (`--fault`). */
  serverFaults: FaultDirective[];
  quiet: boolean;
  mediaUrl: string | undefined;
  noChannelModels: string[];
}

/** Counted fault names: the fault catalogue plus the two outage kinds. */
export type CountedFault = FaultName | "poll_outage" | "content_outage";

export class SimState {
  baseUrl = "";
  total: Counter = { attempts: 0, accepted: 0 };
  /** Models without a channel: creates for them answer the `no_channel` 503. */
  noChannel: Set<string>;
  bytesServed = 0;
  readonly jobs = new Map<string, Job>();
  /** Jobs by file key (`/files/<fileKey>.mp4`). */
  readonly files = new Map<string, Job>();
  private requestSeq = 0;
  private jobSeq = 0;
  private readonly requests = new Map<string, number>();
  private readonly byPrompt = new Map<string, Counter>();
  private readonly faultsApplied = new Map<string, number>();
  private uploads: UploadRecord[] = [];

  constructor(readonly settings: SimSettings) {
    this.noChannel = new Set(settings.noChannelModels);
  }

  nextRequestId(): string {
    return `sim-${++this.requestSeq}-${randomId(4)}`;
  }

  countRequest(route: string): void {
    this.requests.set(route, (this.requests.get(route) ?? 0) + 1);
  }

  /** The create counter of this exact prompt (created on first use). */
  promptCounter(prompt: string): Counter {
    const counter = this.byPrompt.get(prompt) ?? { attempts: 0, accepted: 0 };
    this.byPrompt.set(prompt, counter);
    return counter;
  }

  countFault(name: CountedFault): void {
    this.faultsApplied.set(name, (this.faultsApplied.get(name) ?? 0) + 1);
  }

  recordUpload(endpoint: string, prompt: string, model: string, info: ImageInfo): void {
    this.uploads.push({ endpoint, prompt, model, ...info });
  }

  newJob(
    kind: JobKind,
    id: string,
    fields: Partial<Job> & Pick<Job, "model" | "prompt">,
    speed: number,
  ): Job {
    const job: Job = {
      kind,
      id,
      fileKey: randomId(12),
      seq: ++this.jobSeq,
      seconds: "4",
      size: "720x1280",
      createdAtMs: Date.now(),
      durationMs: jobDuration(speed),
      speed,
      remixedFrom: null,
      faults: {},
      polls: 0,
      downloads: 0,
      outages: {},
      deleted: false,
      ...fields,
    };
    this.jobs.set(job.id, job);
    this.files.set(job.fileKey, job);
    return job;
  }

  /** A live (not deleted) job of this kind. */
  findJob(id: string, kind: JobKind): Job | undefined {
    const job = this.jobs.get(id);
    return job && job.kind === kind && !job.deleted ? job : undefined;
  }

  reset(): void {
    this.requests.clear();
    this.total = { attempts: 0, accepted: 0 };
    this.byPrompt.clear();
    this.faultsApplied.clear();
    this.bytesServed = 0;
    this.uploads = [];
    this.jobs.clear();
    this.files.clear();
    this.noChannel = new Set(this.settings.noChannelModels);
  }

  stats(): SimStats {
    return {
      requests: Object.fromEntries(this.requests),
      creates: { total: { ...this.total }, byPrompt: Object.fromEntries(this.byPrompt) },
      bytesServed: this.bytesServed,
      uploads: this.uploads,
      jobs: this.jobs.size,
      perJob: Object.fromEntries(
        [...this.jobs.values()].map((j) => [
          j.id,
          {
            polls: j.polls,
            downloads: j.downloads,
            ...(j.deleted ? { deleted: true } : {}),
            ...(j.minPollGapMs === undefined ? {} : { minPollGapMs: j.minPollGapMs }),
          },
        ]),
      ),
      faults: Object.fromEntries(this.faultsApplied),
    };
  }
}
