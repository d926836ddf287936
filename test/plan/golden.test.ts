/**
 * Golden test: a multi-stage Dockerfile and the plan expected for it, written out by hand from the
 * BuildKit semantics (comments say why each value is what it is). Ranges are left out for readability.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imageConfig, plan } from './plan-helpers.js';

const DOCKERFILE = `ARG GO=1.22
FROM golang:\${GO} AS build
WORKDIR /src
ARG VERSION=dev
COPY go.mod ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN go build -ldflags "-X main.v=$VERSION" -o /out/app

FROM build AS unused
RUN never

FROM scratch
LABEL org.opencontainers.image.title=app
COPY --from=build --link /out/app /app
USER 65532
ENTRYPOINT ["/app"]
`;

const GOLANG = imageConfig(
  { Env: ['PATH=/usr/local/go/bin:/usr/bin', 'GOLANG_VERSION=1.22.0'], WorkingDir: '/go' },
  {
    rootfs: { type: 'layers', diff_ids: [`sha256:${'1'.repeat(64)}` as never] },
    history: [{ created_by: 'debian base' }],
  },
);

const T = '2023-11-14T22:13:20Z'; // SOURCE_DATE_EPOCH=1700000000
const GO_ENV = ['PATH=/usr/local/go/bin:/usr/bin', 'GOLANG_VERSION=1.22.0', 'VERSION=1.2.3'];
const VERSION_USE = [{ name: 'VERSION', value: '1.2.3', inHistory: true }];
const COPY_DEFAULTS = {
  kind: 'copy',
  exclude: [],
  includePatterns: [],
  requiredPaths: [],
  unpack: false,
  followSymlinks: true,
  copyDirContentsOnly: true,
  allowWildcard: true,
  createDestPath: true,
  createdTime: T,
};
const sel = (pattern: string) =>
  `{"allowEmptyWildcard":true,"excludes":[],"followSymlinks":true,"parents":false,"patterns":["${pattern}"]}`;
const hist = (createdBy: string, empty: boolean) => ({
  created: T,
  created_by: createdBy,
  comment: 'buildkit.dockerfile.v0',
  ...(empty ? { empty_layer: true } : {}),
});

// Ops in creation order: the target (stage 2) starts on scratch, its COPY --from pulls in stage 0,
// stage 1 ("unused") is never planned.
const EXPECTED_OPS = [
  { kind: 'source', id: 'scratch', inputs: [], name: 'scratch', usedArgs: [], source: { kind: 'scratch' } },
  {
    kind: 'meta',
    id: 's2.1',
    inputs: ['scratch'],
    stage: 2,
    name: 'LABEL org.opencontainers.image.title=app',
    usedArgs: [],
    instruction: 'label',
    createdBy: 'LABEL org.opencontainers.image.title=app',
  },
  {
    kind: 'source',
    id: 'image:golang:1.22@linux/amd64', // ${GO} expanded from the meta ARG
    inputs: [],
    name: 'FROM golang:1.22',
    usedArgs: [],
    source: {
      kind: 'image',
      ref: 'golang:1.22',
      platform: { os: 'linux', architecture: 'amd64', variant: '' },
    },
  },
  {
    kind: 'file',
    id: 's0.1',
    inputs: ['image:golang:1.22@linux/amd64'],
    stage: 0,
    name: '[build 2/6] WORKDIR /src', // FROM + 5 layer steps = 6
    usedArgs: [],
    base: 'image:golang:1.22@linux/amd64',
    actions: [{ kind: 'mkdir', path: '/src', mode: 0o755, parents: true, createdTime: T }],
  },
  {
    kind: 'meta',
    id: 's0.2',
    inputs: ['s0.1'],
    stage: 0,
    name: 'ARG VERSION=1.2.3', // --build-arg wins over the default
    usedArgs: VERSION_USE,
    instruction: 'arg',
    createdBy: 'ARG VERSION=1.2.3',
  },
  {
    kind: 'source',
    id: 'context',
    inputs: [],
    name: '[internal] load build context',
    usedArgs: [],
    source: { kind: 'context' },
  },
  {
    kind: 'file',
    id: 's0.3',
    inputs: ['s0.1', 'context'],
    stage: 0,
    name: '[build 3/6] COPY go.mod ./',
    usedArgs: [],
    base: 's0.1',
    actions: [
      {
        ...COPY_DEFAULTS,
        from: { kind: 'context', selection: sel('go.mod') },
        source: '/go.mod',
        dest: '/src/',
      },
    ],
  },
  {
    kind: 'exec',
    id: 's0.4',
    inputs: ['s0.3'],
    stage: 0,
    name: '[build 4/6] RUN --mount=type=cache,target=/go/pkg/mod go mod download',
    usedArgs: VERSION_USE, // in the environment of every RUN after the ARG
    rootfs: 's0.3',
    argv: ['/bin/sh', '-c', 'go mod download'],
    env: GO_ENV,
    cwd: '/src',
    user: '',
    network: 'default',
    security: 'sandbox',
    devices: [],
    mounts: [
      {
        type: 'cache',
        target: '/go/pkg/mod',
        id: '/go/pkg/mod',
        sharing: 'shared',
        readOnly: false,
        mode: 0o755,
        uid: 0,
        gid: 0,
      },
    ],
    proxyEnv: {},
  },
  {
    kind: 'file',
    id: 's0.5',
    inputs: ['s0.4', 'context'],
    stage: 0,
    name: '[build 5/6] COPY . .',
    usedArgs: [],
    base: 's0.4',
    actions: [
      { ...COPY_DEFAULTS, from: { kind: 'context', selection: sel('.') }, source: '/', dest: '/src/' },
    ],
  },
  {
    kind: 'exec',
    id: 's0.6',
    inputs: ['s0.5'],
    stage: 0,
    name: '[build 6/6] RUN go build -ldflags "-X main.v=$VERSION" -o /out/app',
    usedArgs: VERSION_USE,
    rootfs: 's0.5',
    argv: ['/bin/sh', '-c', 'go build -ldflags "-X main.v=$VERSION" -o /out/app'], // the shell expands it
    env: GO_ENV,
    cwd: '/src',
    user: '',
    network: 'default',
    security: 'sandbox',
    devices: [],
    mounts: [],
    proxyEnv: {},
  },
  {
    kind: 'file',
    id: 's2.2',
    inputs: ['s0.6'], // --link: the copy does not read the lower layer
    stage: 2,
    name: '[stage-2 1/1] COPY --from=build --link /out/app /app',
    usedArgs: [],
    actions: [{ ...COPY_DEFAULTS, from: { kind: 'op', op: 's0.6' }, source: '/out/app', dest: '/app' }],
  },
  {
    kind: 'merge',
    id: 's2.3',
    inputs: ['scratch', 's2.2'],
    stage: 2,
    name: 'LINK [stage-2 1/1] COPY --from=build --link /out/app /app',
    usedArgs: [],
  },
  {
    kind: 'meta',
    id: 's2.4',
    inputs: ['s2.3'],
    stage: 2,
    name: 'USER 65532',
    usedArgs: [],
    instruction: 'user',
    createdBy: 'USER 65532',
  },
  {
    kind: 'meta',
    id: 's2.5',
    inputs: ['s2.3'],
    stage: 2,
    name: 'ENTRYPOINT ["/app"]',
    usedArgs: [],
    instruction: 'entrypoint',
    createdBy: 'ENTRYPOINT ["/app"]',
  },
];

const EXPECTED_IMAGE = {
  created: T,
  architecture: 'amd64',
  os: 'linux',
  config: {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], // scratch default
    WorkingDir: '/',
    Labels: { 'org.opencontainers.image.title': 'app', 'org.example.built-by': 'kiln' },
    User: '65532',
    Entrypoint: ['/app'], // no Cmd: none was set in this stage
  },
  rootfs: { type: 'layers', diff_ids: [] },
  history: [
    hist('LABEL org.opencontainers.image.title=app', true),
    hist('COPY /out/app /app # buildkit', false), // --from and --link are not recorded
    hist('USER 65532', true),
    hist('ENTRYPOINT ["/app"]', true),
  ],
};

function withoutRanges(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === 'range' ? undefined : v)));
}

describe('golden multi-stage plan', () => {
  const p = plan(DOCKERFILE, {
    buildArgs: { VERSION: '1.2.3' },
    sourceDateEpoch: 1700000000,
    labels: { 'org.example.built-by': 'kiln' },
    images: { 'golang:1.22': GOLANG },
  });

  it('has exactly the expected ops', () => {
    assert.deepEqual(withoutRanges(p.ops), EXPECTED_OPS);
  });

  it('has the expected target image and layers', () => {
    assert.equal(p.version, 'kiln.plan.v1');
    assert.equal(p.target, 2);
    assert.equal(p.result, 's2.3');
    assert.deepEqual(p.layerOps, ['s2.3']);
    assert.deepEqual(withoutRanges(p.image), EXPECTED_IMAGE);
    assert.deepEqual(
      p.contextSelections.map((s) => s.id),
      [sel('go.mod'), sel('.')],
    );
  });

  it('has the expected build stage image (base history kept, base env, own history)', () => {
    const build = p.stages.find((s) => s.index === 0)!;
    assert.deepEqual(build.layerOps, ['s0.1', 's0.3', 's0.4', 's0.5', 's0.6']);
    assert.deepEqual(withoutRanges(build.image), {
      created: T,
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/go/bin:/usr/bin', 'GOLANG_VERSION=1.22.0'], WorkingDir: '/src' },
      rootfs: { type: 'layers', diff_ids: [`sha256:${'1'.repeat(64)}`] },
      history: [
        { created_by: 'debian base' },
        hist('WORKDIR /src', false),
        hist('ARG VERSION=1.2.3', true),
        hist('COPY go.mod ./ # buildkit', false),
        hist('RUN |1 VERSION=1.2.3 /bin/sh -c go mod download # buildkit', false),
        hist('COPY . . # buildkit', false),
        hist(
          'RUN |1 VERSION=1.2.3 /bin/sh -c go build -ldflags "-X main.v=$VERSION" -o /out/app # buildkit',
          false,
        ),
      ],
    });
  });
});
