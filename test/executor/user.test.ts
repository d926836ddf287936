import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveUser } from '../../src/executor/user.js';

const passwd =
  'root:x:0:0:root:/root:/bin/sh\n# comment\napp:x:1000:1000::/home/app:/bin/sh\nweird:x:abc:1:::\nsvc:x:999:50:svc:/srv:/bin/false\n';
const group = 'root:x:0:\napp:x:1000:\nextra:x:2000:app,svc\nstaff:x:50:\nmore:x:3000: svc , app\n';

describe('resolveUser', () => {
  it('defaults to root with its home', () => {
    assert.deepEqual(resolveUser({ user: '', passwd, group }), {
      uid: 0,
      gid: 0,
      additionalGids: [],
      home: '/root',
    });
  });
  it('resolves a name with its primary group and memberships', () => {
    assert.deepEqual(resolveUser({ user: 'app', passwd, group }), {
      uid: 1000,
      gid: 1000,
      additionalGids: [2000, 3000],
      home: '/home/app',
    });
  });
  it('numeric uid: known user keeps its gid and groups, unknown gets gid 0', () => {
    assert.equal(resolveUser({ user: '999', passwd, group }).gid, 50);
    assert.deepEqual(resolveUser({ user: '999', passwd, group }).additionalGids, [2000, 3000]);
    assert.deepEqual(resolveUser({ user: '4242', passwd, group }), {
      uid: 4242,
      gid: 0,
      additionalGids: [],
      home: '/',
    });
    assert.deepEqual(resolveUser({ user: '4242', passwd: undefined, group: undefined }).uid, 4242);
  });
  it('an explicit group replaces the primary group and drops supplementary groups', () => {
    assert.deepEqual(resolveUser({ user: 'app:staff', passwd, group }), {
      uid: 1000,
      gid: 50,
      additionalGids: [],
      home: '/home/app',
    });
    assert.deepEqual(resolveUser({ user: '5:7', passwd: undefined, group: undefined }), {
      uid: 5,
      gid: 7,
      additionalGids: [],
      home: '/',
    });
  });
  it('refuses unknown names, bad forms and out-of-range ids with E_EXECUTOR', () => {
    for (const user of ['nobody', 'app:nogroup', 'app:', ':1', '99999999999', '1:99999999999']) {
      assert.throws(() => resolveUser({ user, passwd, group }), { code: 'E_EXECUTOR' }, user);
    }
    assert.throws(() => resolveUser({ user: 'app', passwd: undefined, group }), /no \/etc\/passwd/);
  });
});
