/**
 * `/admin/groups` (builtin directory): list, create, members (add/remove users or nested groups).
 * With LDAP/AD the groups live in the directory; the page says so.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { JSX } from "preact";
import { z } from "zod";
import { createBuiltinAdmin } from "../../directory/builtin/builtin-admin.service.ts";
import { AppError, type FieldIssue, isAppError } from "../../errors/app-error.ts";
import { t as translate } from "../../messages/index.ts";
import type { Registry } from "../../registry.types.ts";
import { field, parseForm, parseParams } from "../parse.ts";
import { renderPage } from "../render.tsx";
import { requestContext } from "../request-context.ts";
import { Button, Choices, ErrorSummary, Field, Notice, PostForm } from "../views/components.tsx";
import { type PageContext, pageContext } from "../views/page-context.ts";
import { adminOf } from "./admin-auth.ts";
import { AdminLayout } from "./views/admin-layout.tsx";

export const groupIdParams = z.object({ id: z.string().min(1).max(256) });
export const createGroupForm = z.object({
  name: field.text({ max: 64 }),
  description: field.optionalText({ max: 1024 }),
});
export const memberForm = z.object({
  kind: field.choice(["user", "group"] as const),
  member: field.text({ max: 256 }),
});

export interface GroupMemberView {
  kind: "user" | "group";
  id: string;
  name: string;
}

/** Direct members of a builtin group with their names. */
export async function groupMembers(registry: Registry, groupId: string): Promise<GroupMemberView[]> {
  const members = await registry.stores.builtin.members(groupId);
  const out: GroupMemberView[] = [];
  for (const member of members) {
    if (member.kind === "user") {
      const user = await registry.stores.builtin.getUser(member.id);
      out.push({ kind: "user", id: member.id, name: user?.userName ?? member.id });
    } else {
      const group = await registry.stores.builtin.getGroup(member.id);
      out.push({ kind: "group", id: member.id, name: group?.name ?? member.id });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function GroupsPage(props: {
  ctx: PageContext;
  builtin: boolean;
  groups: { id: string; name: string; description: string }[];
  values: Record<string, string>;
  issues: FieldIssue[];
  message?: string;
}): JSX.Element {
  const { t } = props.ctx;
  return (
    <AdminLayout ctx={props.ctx} title={t("admin.groups.title")} section="/admin/groups">
      <h1>{t("admin.groups.title")}</h1>
      {!props.builtin ? (
        <Notice kind="info">
          <p>{t("admin.groups.external")}</p>
        </Notice>
      ) : (
        <>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("admin.groups.name")}</th>
                  <th scope="col">{t("admin.groups.description")}</th>
                </tr>
              </thead>
              <tbody>
                {props.groups.map((group) => (
                  <tr key={group.id}>
                    <td>
                      <a href={`/admin/groups/${encodeURIComponent(group.id)}`}>{group.name}</a>
                    </td>
                    <td>{group.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>{t("admin.groups.new")}</h2>
          <ErrorSummary
            t={t}
            issues={props.issues}
            {...(props.message !== undefined ? { message: props.message } : {})}
          />
          <PostForm action="/admin/groups" csrf={props.ctx.csrf}>
            <Field
              name="name"
              label={t("admin.groups.name")}
              value={props.values["name"] ?? ""}
              required
              error={props.issues.find((i) => i.field === "name")}
            />
            <Field
              name="description"
              label={t("admin.groups.description")}
              value={props.values["description"] ?? ""}
              error={props.issues.find((i) => i.field === "description")}
            />
            <Button>{t("admin.groups.create")}</Button>
          </PostForm>
        </>
      )}
    </AdminLayout>
  );
}

function GroupPage(props: {
  ctx: PageContext;
  group: { id: string; name: string; description: string };
  members: GroupMemberView[];
  issues: FieldIssue[];
  message?: string;
}): JSX.Element {
  const { t } = props.ctx;
  const path = `/admin/groups/${encodeURIComponent(props.group.id)}`;
  return (
    <AdminLayout ctx={props.ctx} title={props.group.name} section="/admin/groups">
      <p>
        <a href="/admin/groups">← {t("admin.groups.title")}</a>
      </p>
      <h1>{props.group.name}</h1>
      {props.group.description !== "" ? <p class="lead">{props.group.description}</p> : null}
      <h2>{t("admin.groups.members")}</h2>
      {props.members.length === 0 ? <p>{t("admin.groups.no_members")}</p> : null}
      <ul>
        {props.members.map((member) => (
          <li key={`${member.kind}:${member.id}`}>
            {member.kind === "user" ? (
              <a href={`/admin/users/${encodeURIComponent(member.id)}`}>{member.name}</a>
            ) : (
              <a href={`/admin/groups/${encodeURIComponent(member.id)}`}>{member.name}</a>
            )}{" "}
            <span class="badge">{t(`admin.groups.kind.${member.kind}`)}</span>{" "}
            <PostForm
              action={`${path}/members/remove`}
              csrf={props.ctx.csrf}
              class="inline-form"
              label={t("admin.groups.remove")}
            >
              <input type="hidden" name="kind" value={member.kind} />
              <input type="hidden" name="member" value={member.id} />
              <Button kind="link">{t("admin.groups.remove")}</Button>
            </PostForm>
          </li>
        ))}
      </ul>
      <h2>{t("admin.groups.add_member")}</h2>
      <ErrorSummary t={t} issues={props.issues} {...(props.message !== undefined ? { message: props.message } : {})} />
      <PostForm action={`${path}/members`} csrf={props.ctx.csrf}>
        <Choices
          name="kind"
          legend={t("admin.groups.member_kind")}
          selected={["user"]}
          options={[
            { value: "user", label: t("admin.groups.kind.user") },
            { value: "group", label: t("admin.groups.kind.group") },
          ]}
        />
        <Field
          name="member"
          label={t("admin.groups.member_name")}
          required
          error={props.issues.find((i) => i.field === "member")}
        />
        <Button>{t("admin.groups.add")}</Button>
      </PostForm>
    </AdminLayout>
  );
}

export async function registerAdminGroupRoutes(app: FastifyInstance, registry: Registry): Promise<void> {
  const builtin = registry.directory.kind === "builtin";
  const builtinAdmin = createBuiltinAdmin(registry);
  const ctxFor = (request: FastifyRequest) =>
    pageContext(registry, request, { area: "admin", signedInAs: adminOf(request).actor.name });

  const renderList = async (
    request: FastifyRequest,
    reply: FastifyReply,
    options: { values?: Record<string, string>; issues?: FieldIssue[]; message?: string; status?: number } = {},
  ) =>
    renderPage(
      reply,
      <GroupsPage
        ctx={await ctxFor(request)}
        builtin={builtin}
        groups={builtin ? await builtinAdmin.listGroups() : []}
        values={options.values ?? {}}
        issues={options.issues ?? []}
        {...(options.message !== undefined ? { message: options.message } : {})}
      />,
      { status: options.status ?? 200 },
    );

  const loadGroup = async (id: string) => {
    const group = await registry.stores.builtin.getGroup(id);
    if (group === null) throw new AppError("GROUP_NOT_FOUND");
    return group;
  };

  const renderGroup = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    options: { issues?: FieldIssue[]; message?: string; status?: number } = {},
  ) => {
    const group = await loadGroup(id);
    return renderPage(
      reply,
      <GroupPage
        ctx={await ctxFor(request)}
        group={group}
        members={await groupMembers(registry, group.id)}
        issues={options.issues ?? []}
        {...(options.message !== undefined ? { message: options.message } : {})}
      />,
      { status: options.status ?? 200 },
    );
  };

  app.get("/admin/groups", async (request, reply) => renderList(request, reply));
  if (!builtin) return;

  app.post("/admin/groups", async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = {
      name: typeof body["name"] === "string" ? body["name"].slice(0, 100) : "",
      description: typeof body["description"] === "string" ? body["description"].slice(0, 1024) : "",
    };
    try {
      const input = parseForm(createGroupForm, request);
      const group = await builtinAdmin.addGroup(input, { actor: adminOf(request).actor, ctx: requestContext(request) });
      return reply.redirect(`/admin/groups/${encodeURIComponent(group.id)}`, 303);
    } catch (error) {
      if (isAppError(error) && error.status < 500) {
        return renderList(request, reply, {
          values,
          issues: error.issues,
          message: translate(request.locale, error.messageId),
          status: error.status,
        });
      }
      throw error;
    }
  });

  app.get("/admin/groups/:id", async (request, reply) =>
    renderGroup(request, reply, parseParams(groupIdParams, request).id),
  );

  for (const action of ["add", "remove"] as const) {
    app.post(
      action === "add" ? "/admin/groups/:id/members" : "/admin/groups/:id/members/remove",
      async (request, reply) => {
        const { id } = parseParams(groupIdParams, request);
        const group = await loadGroup(id);
        try {
          const input = parseForm(memberForm, request);
          const options = { actor: adminOf(request).actor, ctx: requestContext(request) };
          if (action === "add")
            await builtinAdmin.addMember(group.id, { kind: input.kind, ref: input.member }, options);
          else await builtinAdmin.removeMember(group.id, { kind: input.kind, ref: input.member }, options);
        } catch (error) {
          if (isAppError(error) && error.status < 500) {
            const issues =
              error.issues.length > 0
                ? error.issues
                : [{ field: "member", message: translate(request.locale, error.messageId) }];
            return renderGroup(request, reply, group.id, {
              issues,
              message: translate(request.locale, error.messageId),
              status: error.status,
            });
          }
          throw error;
        }
        return reply.redirect(`/admin/groups/${encodeURIComponent(group.id)}`, 303);
      },
    );
  }
}
