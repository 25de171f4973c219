import { describe, expect, it } from 'vitest';
import { pickLang, STRING_KEYS, t } from '../../../../core/api/views/i18n.ts';

describe('i18n', () => {
  it('fills placeholders in both languages', () => {
    expect(t('en', 'result.reset', { conn: 3 })).toBe('RST sent on 3');
    expect(t('zh', 'result.reset', { conn: 3 })).toBe('已在 3 上发送 RST');
  });

  it('has every key in Chinese, none left empty', () => {
    for (const k of STRING_KEYS) {
      expect(t('zh', k).length, k).toBeGreaterThan(0);
      expect(t('en', k).length, k).toBeGreaterThan(0);
    }
  });

  it('keeps RFC state names unchanged in Chinese text', () => {
    expect(t('zh', 'timer.time-wait')).toBe('TIME-WAIT');
  });

  it('picks the language from --lang, then the locale', () => {
    expect(pickLang('zh', {})).toBe('zh');
    expect(pickLang('zh-CN', { LANG: 'en_US.UTF-8' })).toBe('zh');
    expect(pickLang('en', { LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(pickLang(undefined, { LANG: 'zh_CN.UTF-8' })).toBe('zh');
    expect(pickLang(undefined, { LC_ALL: 'C', LANG: 'zh_TW.UTF-8' })).toBe('zh');
    expect(pickLang(undefined, { LANG: 'de_DE.UTF-8' })).toBe('en');
    expect(pickLang(undefined, {})).toBe('en');
  });
});
