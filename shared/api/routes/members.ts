// Member alignment: members, the systems aligned with them (and a refresh of each), the unmatched, links by hand.
import { z } from 'zod';
import { LinkAccountInput, Member, MemberAccount, MemberInput, MembersView, MemberUpdateInput, MemberSystem, MemberSystemInput, RefreshOutcome } from '../members';
import { empty, IdParam, json, jsonBody, route } from './define';

export const getMembers = route({ method: 'get', path: '/members', responses: { 200: json(MembersView) } });

export const createMember = route({ method: 'post', path: '/members', request: { body: jsonBody(MemberInput) }, responses: { 201: json(Member) } });

export const updateMember = route({ method: 'put', path: '/members/{id}', request: { params: IdParam, body: jsonBody(MemberUpdateInput) }, responses: { 200: json(Member) } });

export const deleteMember = route({ method: 'delete', path: '/members/{id}', request: { params: IdParam }, responses: { 204: empty } });

export const createMemberSystem = route({ method: 'post', path: '/member-systems', request: { body: jsonBody(MemberSystemInput) }, responses: { 201: json(MemberSystem) } });

export const updateMemberSystem = route({
  method: 'put',
  path: '/member-systems/{id}',
  request: { params: IdParam, body: jsonBody(MemberSystemInput) },
  responses: { 200: json(MemberSystem) },
});

export const deleteMemberSystem = route({ method: 'delete', path: '/member-systems/{id}', request: { params: IdParam }, responses: { 204: empty } });

export const refreshMemberSystem = route({ method: 'post', path: '/member-systems/{id}/refresh', request: { params: IdParam }, responses: { 200: json(RefreshOutcome) } });

export const linkMemberAccount = route({
  method: 'post',
  path: '/member-systems/{id}/links',
  request: { params: IdParam, body: jsonBody(LinkAccountInput) },
  responses: { 200: json(MemberAccount) },
});

export const listMemberSystemNames = route({ method: 'get', path: '/member-systems/names', responses: { 200: json(z.array(z.string())) } });
