// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text uses ${VAR} on purpose.
/**
 * Dockerfile front-end throughput: parse + type + expand + check (`checkDockerfile`) of
 *   1. one generated 10,000-line Dockerfile (many stages, every instruction kind, continuations, heredocs);
 *   2. a realistic ~200-line multi-stage Dockerfile, 1,000 times.
 * Prints ms and lines/s. No reference tool: `buildah build` has no parse-only / check mode (no --check,
 * --dry-run or lint option), and docker is not used here. No assertions on time.
 * Run: npx tsx bench/parse.ts [lines=10000] [repeats=1000]
 */
import { parseDockerfile } from '../src/dockerfile/parser/index.js';
import { checkDockerfile } from '../src/dockerfile/stages/check-dockerfile.js';

const targetLines = Number(process.argv[2] ?? 10_000);
const repeats = Number(process.argv[3] ?? 1_000);

/** One stage of a realistic Dockerfile (about 50 lines); `i` makes names and values distinct. */
function realisticStage(i: number, previous: string | undefined): string[] {
  const name = `stage${i}`;
  return [
    `# Stage ${i}: build a component`,
    `FROM ${previous ?? '${BASE_IMAGE}:${BASE_TAG}'} AS ${name}`,
    'ARG VERSION',
    'ARG TARGETARCH',
    `ENV APP_HOME=/opt/app${i} \\`,
    '    PATH=/opt/app/bin:$PATH \\',
    '    LANG=C.UTF-8',
    `LABEL org.opencontainers.image.title="component ${i}" \\`,
    '      org.opencontainers.image.version="${VERSION}"',
    'WORKDIR $APP_HOME',
    'RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\',
    '    --mount=type=cache,target=/var/lib/apt,sharing=locked \\',
    '    apt-get update && \\',
    '    apt-get install -y --no-install-recommends \\',
    '      ca-certificates curl git make gcc libc6-dev && \\',
    '    rm -rf /var/lib/apt/lists/*',
    'COPY --chown=1000:1000 --chmod=0644 go.mod go.sum ./',
    'RUN --mount=type=cache,target=/root/.cache/go-build \\',
    '    --mount=type=secret,id=netrc,target=/root/.netrc \\',
    '    go mod download',
    'COPY --link . .',
    `RUN <<EOF`,
    'set -eux',
    'case "${TARGETARCH}" in',
    '  amd64) export GOARCH=amd64 ;;',
    '  arm64) export GOARCH=arm64 ;;',
    'esac',
    `go build -o /out/app${i} ./cmd/app`,
    'EOF',
    `COPY <<EOF /etc/app${i}.conf`,
    'listen = 0.0.0.0:8080',
    'version = ${VERSION}',
    'EOF',
    'ADD --checksum=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef \\',
    '    https://example.com/tool.tar.gz /tmp/',
    'EXPOSE 8080/tcp 9090/udp',
    'USER 1000:1000',
    'HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \\',
    '  CMD ["/out/app", "health"]',
    'STOPSIGNAL SIGTERM',
    'VOLUME ["/data"]',
    'ONBUILD COPY . /src',
    'SHELL ["/bin/sh", "-c"]',
    `ENTRYPOINT ["/out/app${i}"]`,
    'CMD ["serve", "--port", "8080"]',
    '',
  ];
}

/** A Dockerfile of about `lines` lines: meta ARGs, then chained realistic stages. */
function generate(lines: number): string {
  const out = ['# syntax=docker/dockerfile:1', 'ARG BASE_IMAGE=debian', 'ARG BASE_TAG=bookworm', ''];
  let previous: string | undefined;
  for (let i = 0; out.length < lines; i++) {
    out.push(...realisticStage(i, previous));
    previous = `stage${i}`;
  }
  out.push('FROM scratch AS final');
  for (let i = 0; previous !== undefined && i < 3; i++) out.push(`COPY --from=${previous} /out /out${i}`);
  return `${out.join('\n')}\n`;
}

/** Median wall ms of `runs` runs of `fn` (single runs of a large input are noisy: GC, JIT). */
function time(fn: () => void, runs = 1): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

function report(label: string, ms: number, lines: number): void {
  const perSecond = (lines / ms) * 1000;
  console.log(
    `${label.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms  ${Math.round(perSecond).toLocaleString('en').padStart(12)} lines/s`,
  );
}

function main(): void {
  const options = { buildArgs: { VERSION: '1.2.3' } };
  const big = generate(targetLines);
  const bigLines = big.split('\n').length - 1;
  checkDockerfile(big, options); // warm-up (JIT), and proves the input is valid
  report(
    `parse only, ${bigLines} lines (median of 5)`,
    time(() => parseDockerfile(big), 5),
    bigLines,
  );
  report(
    `parse + check, ${bigLines} lines (median of 5)`,
    time(() => checkDockerfile(big, options), 5),
    bigLines,
  );

  const small = generate(200);
  const smallLines = small.split('\n').length - 1;
  checkDockerfile(small, options);
  const ms = time(() => {
    for (let i = 0; i < repeats; i++) checkDockerfile(small, options);
  });
  report(`parse + check, ${smallLines} lines x ${repeats}`, ms, smallLines * repeats);
  console.log(`  per ${smallLines}-line Dockerfile: ${(ms / repeats).toFixed(3)} ms`);
}

main();
