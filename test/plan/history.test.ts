import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKilnError } from '../../src/errors.js';
import { createdBy, imageConfig, plan } from './plan-helpers.js';

describe('history as BuildKit writes it', () => {
  it('records created_by per instruction with # buildkit only on RUN/COPY/ADD', () => {
    const p = plan(
      [
        'FROM scratch AS src',
        'FROM scratch',
        'ENV A=b C=d',
        'LABEL k=v',
        'WORKDIR /x',
        'ARG X=1 Y',
        'USER app',
        'EXPOSE 80 443/udp',
        'VOLUME /data /logs',
        'STOPSIGNAL SIGTERM',
        'SHELL ["/bin/bash", "-c"]',
        'MAINTAINER me',
        'COPY --chown=1:2 --chmod=644 file other /dst/',
        'ADD --chmod=u+x f.tar /opt/',
        'COPY --parents --from=src a/./b /p/',
        'CMD ["run"]',
        'ENTRYPOINT echo hi',
        'HEALTHCHECK --interval=1m30s --start-period=500ms CMD check',
        'ONBUILD RUN never',
        'RUN echo hi',
        '',
      ].join('\n'),
    );
    assert.deepEqual(createdBy(p), [
      'ENV A=b C=d',
      'LABEL k=v',
      'WORKDIR /x',
      'ARG X=1 Y',
      'USER app',
      'EXPOSE [443/udp 80/tcp]', // BuildKit sorts the port words before expanding
      'VOLUME [/data /logs]',
      'STOPSIGNAL SIGTERM',
      'SHELL [/bin/bash -c]',
      'MAINTAINER me',
      'COPY --chown=1:2 --chmod=644 file other /dst/ # buildkit',
      'ADD --chmod=u+x f.tar /opt/ # buildkit',
      'COPY --parents a/./b /p/ # buildkit',
      'CMD ["run"]',
      'ENTRYPOINT ["/bin/bash" "-c" "echo hi"]',
      'HEALTHCHECK {Test:[CMD-SHELL check] Interval:1m30s Timeout:0s StartPeriod:500ms StartInterval:0s Retries:0}',
      'RUN |2 X=1 Y= /bin/bash -c echo hi # buildkit',
    ]);
  });

  it('marks metadata-only steps empty_layer and layer steps not; comment is buildkit.dockerfile.v0', () => {
    const p = plan('FROM scratch\nENV A=1\nRUN true\nWORKDIR /w\nWORKDIR /\nCOPY a b\n');
    const h = p.image.history ?? [];
    assert.deepEqual(
      h.map((e) => [e.created_by, e.empty_layer === true]),
      [
        ['ENV A=1', true],
        ['RUN /bin/sh -c true # buildkit', false],
        ['WORKDIR /w', false],
        ['WORKDIR /', true],
        ['COPY a b # buildkit', false],
      ],
    );
    for (const e of h) assert.equal(e.comment, 'buildkit.dockerfile.v0');
    assert.equal(p.layerOps.length, h.filter((e) => e.empty_layer !== true).length);
  });

  it('ARG prefix: declared args with values as the environment has them, ENV wins, base stage args inherited', () => {
    const p = plan('FROM scratch AS a\nARG A=1\nENV B=env\nARG B=arg\nFROM a\nARG C\nRUN x\n', {
      buildArgs: { C: 'given' },
    });
    assert.equal(createdBy(p).at(-1), 'RUN |3 A=1 B=env C=given /bin/sh -c x # buildkit');
  });

  it('no ARG prefix without ARGs; proxy args never recorded', () => {
    const p = plan('FROM scratch\nARG HTTP_PROXY\nRUN wget x\n', {
      buildArgs: { HTTP_PROXY: 'http://secret-proxy:3128' },
    });
    assert.equal(createdBy(p).at(-1), 'RUN /bin/sh -c wget x # buildkit');
    assert.ok(!JSON.stringify(p.image).includes('secret-proxy'));
    const exec = p.ops.find((o) => o.kind === 'exec');
    assert.equal(exec?.kind === 'exec' && exec.proxyEnv.HTTP_PROXY, 'http://secret-proxy:3128');
  });

  it('RUN exec form joins the argv', () => {
    assert.equal(createdBy(plan('FROM scratch\nRUN ["echo", "a b"]\n')).at(-1), 'RUN echo a b # buildkit');
  });

  it('heredoc COPY sources show as <<NAME', () => {
    const p = plan('FROM scratch\nCOPY <<EOF /etc/conf\nhello\nEOF\n');
    assert.equal(createdBy(p).at(-1), 'COPY <<EOF /etc/conf # buildkit');
  });

  it('ONBUILD adds no history entry', () => {
    const p = plan('FROM scratch\nONBUILD RUN x\n');
    assert.deepEqual(p.image.history, []);
  });

  it('keeps the base image history first and its diff ids', () => {
    const base = imageConfig(
      {},
      {
        rootfs: { type: 'layers', diff_ids: [`sha256:${'1'.repeat(64)}` as never] },
        history: [{ created_by: '/bin/sh -c #(nop) ADD file:x in /' }],
        created: '2020-01-01T00:00:00Z',
      },
    );
    const p = plan('FROM img\nRUN x\n', {
      images: { img: base },
      now: () => new Date('2024-05-06T07:08:09.120Z'),
    });
    assert.deepEqual(createdBy(p), ['/bin/sh -c #(nop) ADD file:x in /', 'RUN /bin/sh -c x # buildkit']);
    assert.deepEqual(p.image.rootfs.diff_ids, [`sha256:${'1'.repeat(64)}`]);
    assert.equal(p.image.created, '2024-05-06T07:08:09.12Z');
    assert.equal(p.image.history?.[1]?.created, '2024-05-06T07:08:09.12Z');
    assert.equal(p.image.history?.[0]?.created, undefined);
  });

  it('uses SOURCE_DATE_EPOCH (option or build arg) over the clock, also for file times', () => {
    const clock = () => new Date('2030-01-01T00:00:00Z');
    const byArg = plan('FROM scratch\nCOPY a /a\n', {
      buildArgs: { SOURCE_DATE_EPOCH: '1700000000' },
      now: clock,
    });
    assert.equal(byArg.image.created, '2023-11-14T22:13:20Z');
    assert.equal(byArg.image.history?.[0]?.created, '2023-11-14T22:13:20Z');
    const file = byArg.ops.find((o) => o.kind === 'file');
    assert.equal(file?.kind === 'file' && file.actions[0]?.createdTime, '2023-11-14T22:13:20Z');
    const byOption = plan('FROM scratch\n', { sourceDateEpoch: 0, buildArgs: { SOURCE_DATE_EPOCH: '5' } });
    assert.equal(byOption.image.created, '1970-01-01T00:00:00Z');
    const clockOnly = plan('FROM scratch\nCOPY a /a\n', { now: clock });
    const clockFile = clockOnly.ops.find((o) => o.kind === 'file');
    assert.equal(clockFile?.kind === 'file' && clockFile.actions[0]?.createdTime, undefined);
    assert.throws(
      () => plan('FROM scratch\n', { buildArgs: { SOURCE_DATE_EPOCH: 'yesterday' } }),
      (e) => isKilnError(e) && e.code === 'E_USAGE',
    );
  });

  it('without a clock or epoch, created is left out', () => {
    const p = plan('FROM scratch\nENV A=1\n');
    assert.equal(p.image.created, undefined);
    assert.equal(p.image.history?.[0]?.created, undefined);
  });
});
