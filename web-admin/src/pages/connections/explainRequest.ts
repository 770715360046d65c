/**
 * Plain-words explanations of the SCIM requests an identity provider made, for IT admins who
 * read the request log: what went wrong, and what to do about it.
 */

export interface LoggedRequestLike {
  status: number;
  method: string;
  path: string;
  scim_type?: string | null;
  error_detail?: string | null;
}

export interface Explanation {
  /** One sentence: what happened. */
  summary: string;
  /** What to do, when there is something to do. */
  fix?: string;
}

const SCIM_TYPES: Record<string, Explanation> = {
  uniqueness: {
    summary: 'A user or group with the same userName (or display name) already exists in this connection.',
    fix: 'Make your identity provider match existing users instead of creating them again: re-import or re-assign the user there, or delete the duplicate in Roster first.',
  },
  invalidFilter: {
    summary: 'Your identity provider sent a search filter Roster could not read.',
    fix: 'Check the attribute your identity provider matches users on (usually userName) and that it is mapped to a SCIM attribute.',
  },
  invalidPath: {
    summary: 'An update named an attribute path Roster does not know.',
    fix: 'Check the attribute mappings in your identity provider: custom attributes must use the enterprise extension or a full schema URN.',
  },
  invalidSyntax: {
    summary: 'The request body was not valid SCIM JSON.',
    fix: 'Check the attribute mappings in your identity provider; a mapping to an empty or malformed value is the usual cause.',
  },
  invalidValue: {
    summary: 'A value had the wrong type or format (for example text where true/false was expected).',
    fix: 'Check the attribute mappings in your identity provider for the attribute named below.',
  },
  mutability: {
    summary: 'Your identity provider tried to change an attribute that cannot be changed (such as id).',
    fix: 'Remove that attribute from the mappings sent on update.',
  },
  noTarget: {
    summary: 'An update targeted a value that does not exist on this user or group.',
  },
  tooMany: {
    summary: 'The search would return more results than Roster sends in one answer.',
    fix: 'Your identity provider should page through results; narrow the filter if it does not.',
  },
};

/** `null` for a request that succeeded. */
export function explainRequest(request: LoggedRequestLike): Explanation | null {
  const { status } = request;
  if (status < 400) return null;
  const known = request.scim_type ? SCIM_TYPES[request.scim_type] : undefined;
  if (known) return known;
  switch (status) {
    case 401:
      return {
        summary: 'Roster did not accept the bearer token: it was revoked, expired, pasted incompletely, or this connection is deactivated.',
        fix: 'Create a new token in Settings, paste it into your identity provider, and test the connection again.',
      };
    case 403:
      return { summary: 'This token may not do that.', fix: 'Use a token created for this connection.' };
    case 404:
      return request.method === 'GET'
        ? { summary: 'Your identity provider asked for a user or group Roster does not have. This is normal when it checks whether someone exists before creating them.' }
        : {
            summary: 'Your identity provider referred to a user or group Roster does not have (it may have been deleted).',
            fix: 'Most identity providers create it again on the next sync; push the user or group again if not.',
          };
    case 405:
    case 501:
      return { summary: 'Roster does not support this operation.', fix: 'Check that the SCIM base URL in your identity provider ends with /scim/v2/ and the connection id.' };
    case 409:
      return SCIM_TYPES.uniqueness;
    case 412:
      return { summary: 'The user or group changed since your identity provider last read it.', fix: 'Nothing to do: the identity provider reads it again and retries.' };
    case 413:
      return { summary: 'The request was larger than Roster accepts.', fix: 'Split large groups into smaller pushes, or ask your identity provider to page memberships.' };
    case 415:
      return { summary: 'The request was not sent as JSON.', fix: 'Select SCIM 2.0 (not a custom API) as the provisioning type in your identity provider.' };
    case 429:
      return { summary: 'Your identity provider sent requests faster than this connection allows.', fix: 'Nothing to do: it slows down and retries on its own.' };
    default:
      if (status >= 500) {
        return { summary: 'Roster could not process this request. Your identity provider retries it.', fix: 'If it keeps failing, contact the app’s support with the request id.' };
      }
      return { summary: 'Roster refused the request.', fix: 'See the detail below.' };
  }
}
