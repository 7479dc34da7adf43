import { describe, expect, it } from 'vitest';
import type { Field } from '../graph/field-types';
import { normalizeName, suggestMappings } from './map-suggest';

const f = (name: string, type: Field['type'] = 'text', extra: Partial<Field> = {}): Field => ({ name, type, ...extra });

describe('auto-map suggestions', () => {
  it('matches by case, spaces, _ and - and by common synonyms, with the target type', () => {
    const upstream = { fields: [f('E-mail'), f('First Name'), f('zip'), f('Telephone'), f('Organization'), f('given_name'), f('MRR', 'number')], key: [] };
    const target = { label: 'contacts', fields: [f('email'), f('first_name'), f('postal_code'), f('phone'), f('company'), f('mrr', 'currency', { currency: 'EUR' }), f('owner')], key: [] };
    const { suggestions, unmatched } = suggestMappings(upstream, target);
    expect(suggestions.map((s) => [s.source, s.target, s.reason])).toEqual([
      ['E-mail', 'email', 'normalized'],
      ['First Name', 'first_name', 'normalized'],
      ['zip', 'postal_code', 'synonym'],
      ['Telephone', 'phone', 'synonym'],
      ['Organization', 'company', 'synonym'],
      ['MRR', 'mrr', 'normalized'],
    ]);
    expect(suggestions.find((s) => s.target === 'mrr')).toMatchObject({ type: 'currency', currency: 'EUR' });
    expect(unmatched).toEqual(['owner']);
  });

  it('prefers the exact name, then the normalized one, then a synonym; one source fills one target', () => {
    const upstream = { fields: [f('e_mail'), f('email'), f('mail')], key: [] };
    const target = { label: 't', fields: [f('Email'), f('email')], key: [] };
    const { suggestions } = suggestMappings(upstream, target);
    expect(suggestions.map((s) => [s.source, s.target])).toEqual([
      ['e_mail', 'Email'],
      ['email', 'email'],
    ]);
  });

  it('matches keys first, and a key to the source key among equals', () => {
    const upstream = { fields: [f('Id', 'number'), f('ID', 'number')], key: ['ID'] };
    const target = { label: 't', fields: [f('name'), f('id', 'number')], key: ['id'] };
    const { suggestions } = suggestMappings(upstream, target);
    expect(suggestions).toEqual([expect.objectContaining({ source: 'ID', target: 'id', key: true })]);
  });

  it('proposes the source primary key as the key when the target has none', () => {
    const upstream = { fields: [f('customer_id', 'number'), f('name')], key: ['customer_id'] };
    const target = { label: 't', fields: [f('Customer ID', 'number'), f('Name')], key: [] };
    expect(suggestMappings(upstream, target).suggestions.map((s) => [s.target, s.key])).toEqual([
      ['Customer ID', true],
      ['Name', false],
    ]);
    // …but not when the Map already has a key.
    expect(suggestMappings(upstream, target, [{ source: 'x', target: 'x', key: true }]).suggestions.every((s) => !s.key)).toBe(true);
  });

  it('skips incompatible types, mapped targets and used sources', () => {
    const upstream = { fields: [f('active', 'boolean'), f('email'), f('city')], key: [] };
    const target = { label: 't', fields: [f('active', 'date'), f('email'), f('town')], key: [] };
    const { suggestions, unmatched } = suggestMappings(upstream, target, [{ from: 'field', source: 'city', target: 'other' }, { from: 'field', source: 'x', target: 'email' }]);
    expect(suggestions).toEqual([]);
    expect(unmatched).toEqual(['active', 'town']);
  });

  it('takes hostile names as data', () => {
    const upstream = { fields: [f('__proto__'), f('constructor'), f('a\u0000b'), f('toString')], key: [] };
    const target = { label: 't', fields: [f('__proto__'), f('Constructor'), f('a\u0000b'), f('hasOwnProperty')], key: [] };
    const { suggestions, unmatched } = suggestMappings(upstream, target);
    expect(suggestions.map((s) => [s.source, s.target])).toEqual([
      ['__proto__', '__proto__'],
      ['constructor', 'Constructor'],
      ['a\u0000b', 'a\u0000b'],
    ]);
    expect(unmatched).toEqual(['hasOwnProperty']);
    expect(normalizeName('Prénom_Client')).toBe('prenomclient');
    expect(normalizeName('___')).toBe('');
  });

  it('compares names of every script, and never pairs two names by their digits or Latin letters alone', () => {
    const upstream = { fields: [f('Имя'), f('名前 1'), f('Straße'), f('Ελληνικά'), f('電話')], key: [] };
    const target = { label: 't', fields: [f('имя'), f('電話 1'), f('STRASSE'), f('ελληνικά'), f('Strae')], key: [] };
    const { suggestions, unmatched } = suggestMappings(upstream, target);
    expect(suggestions.map((s) => [s.source, s.target, s.reason])).toEqual([
      ['Имя', 'имя', 'normalized'],
      ['Straße', 'STRASSE', 'normalized'],
      ['Ελληνικά', 'ελληνικά', 'normalized'],
    ]);
    // "名前 1" is not "電話 1" (both were "1"), and "Straße" is not "Strae" (ß was dropped).
    expect(unmatched).toEqual(['電話 1', 'Strae']);
    expect(normalizeName('名前 1')).toBe('名前1');
    // Accents go (Latin diacritics), vowel signs stay: नाम (name) is not नम.
    expect(normalizeName('नाम')).not.toBe(normalizeName('नम'));
    expect(normalizeName('Prénom_Client')).toBe('prenomclient');
  });
});
